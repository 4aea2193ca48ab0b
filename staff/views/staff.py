"""The staff home: today's numbers per building."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from coworking.decorators import staff_required
from staff import dashboard

BOARD = "today-board"


@staff_required("staff.view_dashboard")
@vary_on_headers("HX-Request")
def today(request: HttpRequest) -> HttpResponse:
    context = {"board": dashboard.today()}
    if request.htmx and request.htmx.target == BOARD:
        return render(request, "staff/board.html", context)
    return render(request, "staff/today.html", context)
