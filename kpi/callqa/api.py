"""The /api/v1/ routers of call QA, mounted on qms.api.api when the app is ready: each area's
kpi/callqa/api_<area>.py mounts its own router (kpi.callqa.areas)."""

from kpi.callqa.areas import api_modules

MOUNTED = api_modules()
