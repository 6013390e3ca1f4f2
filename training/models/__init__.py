from .certificates import Certificate, new_certificate_number
from .courses import Course, PlanItem, PlanState, TrainerKind, TrainingPlan
from .evaluations import RATING_FIELDS, Applied, EffectivenessReview, Evaluation
from .requests import RequestState, TrainingRequest
from .sessions import (
    Attendance,
    AttendanceCorrection,
    AttendanceStatus,
    Session,
    SessionSequence,
    SessionState,
)

__all__ = [
    "RATING_FIELDS",
    "Applied",
    "Attendance",
    "AttendanceCorrection",
    "AttendanceStatus",
    "Certificate",
    "Course",
    "EffectivenessReview",
    "Evaluation",
    "PlanItem",
    "PlanState",
    "RequestState",
    "Session",
    "SessionSequence",
    "SessionState",
    "TrainerKind",
    "TrainingPlan",
    "TrainingRequest",
    "new_certificate_number",
]
