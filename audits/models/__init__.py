from .checklists import AnswerResult, ChecklistAnswer, ChecklistQuestion, ChecklistTemplate, EvidenceFile
from .findings import AuditReport, Finding, FindingKind
from .nonconformities import (
    OPEN_STATES,
    TRANSITIONS,
    WHY_FIELDS,
    ActionState,
    CauseCategory,
    CorrectiveAction,
    EffectivenessCheck,
    NCState,
    Nonconformity,
    NonconformityGroupObjectPermission,
    NonconformitySequence,
    NonconformityUserObjectPermission,
    Severity,
    Source,
)
from .programme import Audit, AuditProgramme, AuditSequence, AuditState

__all__ = [
    "OPEN_STATES", "TRANSITIONS", "WHY_FIELDS", "ActionState", "AnswerResult", "Audit", "AuditProgramme",
    "AuditReport", "AuditSequence", "AuditState", "CauseCategory", "ChecklistAnswer", "ChecklistQuestion",
    "ChecklistTemplate", "CorrectiveAction", "EffectivenessCheck", "EvidenceFile", "Finding", "FindingKind",
    "NCState", "Nonconformity", "NonconformityGroupObjectPermission", "NonconformitySequence",
    "NonconformityUserObjectPermission", "Severity", "Source",
]
