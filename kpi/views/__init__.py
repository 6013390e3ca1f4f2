"""Admin views of the KPI app, one module per screen (mounted by kpi/urls.py)."""
