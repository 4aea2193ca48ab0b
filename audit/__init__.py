"""The audit trail: services and staff pages call audit.record for every change that matters."""
