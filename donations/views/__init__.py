"""Member pages in views.member, staff pages in views.staff."""
