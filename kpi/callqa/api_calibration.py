"""/api/v1/callqa/calibration: calibration sessions and their results, as the screens show them.

Mounted on the one NinjaAPI (`qms.api.api`) when the app is ready (`kpi.callqa.api`).
Authentication is the API's (a bearer token, or the admin session): none, 401. The caller needs one
of `callqa.manage_callqa`, `callqa.evaluate_call`, `callqa.view_evaluation`, else 404 (as the screens:
a role the caller does not hold is not there for them).

    GET /callqa/calibration/sessions[?status=open|closed][&limit=100 (at most 500)&offset=0]
        200 {"items": [{"id": 3, "title": "…", "held_on": "2026-10-20", "status": {"key": "open", "label": "…"},
                        "call_id": "C0000012", "scorecard": {"key": "standard", "version": 1, "name": "…"},
                        "lead": {"username": "…", "full_name": "…"}, "tolerance": 5.0, "invited": 4,
                        "submitted": 3, "my_evaluation": 17 | null, "my_status": "assigned" | null}], "count": 1}
    GET /callqa/calibration/sessions/{id}/results
        200 {"session": {...as above}, "level": "full" | "own" | "closed" | "pending",
             "columns": [{"label": "…", "username": "…" | null, "is_lead": false, "is_you": true}],
             "criteria": [{"id": 9, "section": "…", "text": "…", "scoring": "scale", "max": 4,
                           "marks": [{"value": 3, "na": false} | null, …]   (aligned with columns),
                           "lead_mark": {…} | null, "min": 2, "max_given": 4, "sd": 0.82, "agreement": 0.333,
                           "pairs": 3, "alpha": 0.71 | null, "alpha_metric": "interval", "alpha_sessions": 6}],
             "deviations": [{"username": "…", "full_name": "…", "submitted": true, "score": 82.5,
                             "lead_score": 90.0, "deviation": -7.5, "flagged": true}],
             "lead_score": 90.0 | null, "agreement": 0.6, "session_alpha": 0.55 | null,
             "key_alpha": 0.62 | null, "key_sessions": 6, "waiting": ["username", …]}

Who sees what is `kpi.callqa.calibration.shown_to`'s rule: a session the caller may not see, 404;
a participant who has not submitted gets level "pending" and no marks; the lead's marks and score
only at level "full" or "closed"; other evaluators are unnamed below "full". Scores are points 0..100,
agreement a fraction 0..1, deviations are the evaluator's score minus the lead's, flagged when the
size is strictly over the session's tolerance.
"""

# No `from __future__ import annotations`: ninja reads the parameter and schema types at import.
from django.http import Http404
from ninja import Router

from kpi.callqa import calibration
from kpi.callqa.models import CalibrationSession
from qms.api import api, person_out

SEES_CALIBRATION = ("callqa.manage_callqa", "callqa.evaluate_call", "callqa.view_evaluation")

PAGE_SIZE = 100
MAX_LIMIT = 500

router = Router(tags=["callqa"])


def _require_role(request) -> None:
    user = request.user
    if not any(user.has_perm(perm) for perm in SEES_CALIBRATION):
        raise Http404


def _number(value):
    return None if value is None else float(value)


def _session_out(session) -> dict:
    return {
        "id": session.pk,
        "title": session.title,
        "held_on": session.held_on.isoformat(),
        "status": {"key": session.status, "label": str(session.get_status_display())},
        "call_id": session.call.call_id,
        "scorecard": {"key": session.scorecard.key, "version": session.scorecard.version,
                      "name": session.scorecard.name},
        "lead": person_out(session.lead),
        "tolerance": float(session.tolerance),
        "invited": getattr(session, "invited", None),
        "submitted": getattr(session, "submitted", None),
        "my_evaluation": getattr(session, "my_evaluation", None),
        "my_status": getattr(session, "my_status", None),
    }


def _mark(mark) -> dict | None:
    if mark is None:
        return None
    return {"value": mark.value, "na": bool(mark.na)}


@router.get("/sessions", response=dict, summary="Kalibrasyon oturumları / calibration sessions")
def list_sessions(request, status: str | None = None, limit: int = PAGE_SIZE, offset: int = 0):
    """The sessions the caller may see, newest first: {"items": [...], "count": n} (limit at most 500)."""
    _require_role(request)
    sessions = calibration.listed_for(request.user)
    if status in (CalibrationSession.Status.OPEN, CalibrationSession.Status.CLOSED):
        sessions = sessions.filter(status=status)
    limit = min(max(limit, 0), MAX_LIMIT)
    offset = max(offset, 0)
    return {"items": [_session_out(session) for session in sessions[offset:offset + limit]],
            "count": sessions.count()}


@router.get("/sessions/{session_id}/results", response=dict,
            summary="Kalibrasyon sonuçları / calibration results")
def session_results(request, session_id: int):
    """The results of one session as the caller may see them (see the module's text)."""
    _require_role(request)
    session = calibration.session_or_404(request.user, session_id, calibration.listed_for(request.user))
    result = calibration.results(session)
    shown = calibration.shown_to(result, request.user)
    full = shown.sees_all
    columns = [{"label": str(column.label),
                "username": column.participant.user.get_username() if (full or column.is_viewer or (
                    column.participant.is_lead and shown.show_lead)) else None,
                "is_lead": column.participant.is_lead and (full or shown.show_lead),
                "is_you": column.is_viewer} for column in shown.columns]
    criteria = []
    for row, marks in shown.rows:
        criterion = row.criterion
        criteria.append({
            "id": criterion.pk, "section": criterion.section.title, "text": criterion.text,
            "scoring": criterion.scoring, "max": criterion.max_score,
            "marks": [_mark(mark) for mark in marks],
            "lead_mark": _mark(row.lead_mark) if shown.show_lead else None,
            "min": row.minimum, "max_given": row.maximum, "sd": row.sd,
            "agreement": row.agreement, "pairs": row.pairs,
            "alpha": row.history_alpha, "alpha_metric": row.metric, "alpha_sessions": row.history_sessions,
        } if shown.level != calibration.PENDING else {
            "id": criterion.pk, "section": criterion.section.title, "text": criterion.text,
            "scoring": criterion.scoring, "max": criterion.max_score, "marks": [],
        })
    pending = shown.level == calibration.PENDING
    lead_score = result.lead.score if result.lead else None
    return {
        "session": _session_out(session),
        "level": shown.level,
        "columns": columns,
        "criteria": criteria,
        "deviations": [{
            "username": participant.user.get_username(), "full_name": participant.name,
            "submitted": participant.submitted, "score": _number(participant.score),
            "lead_score": _number(lead_score), "deviation": _number(participant.deviation),
            "flagged": participant.flagged,
        } for participant in shown.deviations],
        "lead_score": _number(lead_score) if shown.show_lead else None,
        "agreement": None if pending else result.agreement,
        "session_alpha": None if pending else result.session_alpha,
        "key_alpha": None if pending else result.key_alpha,
        "key_sessions": result.key_sessions,
        "waiting": [p.user.get_username() for p in result.waiting] if full else [],
    }


api.add_router("/callqa/calibration", router)
