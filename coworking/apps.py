from __future__ import annotations

from django.apps import AppConfig


class CoworkingConfig(AppConfig):
    name = "coworking"

    def ready(self) -> None:
        from coworking import metrics, tasks

        tasks.connect_signals()
        metrics.connect_signals()
