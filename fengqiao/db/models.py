"""Imports every table model so that ``Base.metadata`` is complete (for Alembic and for tests)."""

from fengqiao.accounts import models as accounts_models
from fengqiao.alerts import models as alerts_models  # noqa: F401  (registers the tables)
from fengqiao.audit import models as audit_models
from fengqiao.basedata import models as basedata_models
from fengqiao.citizen import models as citizen_models  # noqa: F401  (registers the tables)
from fengqiao.db.base import Base
from fengqiao.duty import models as duty_models
from fengqiao.events import models as events_models
from fengqiao.indices import models as indices_models  # noqa: F401  (registers the tables)
from fengqiao.jobs import models as jobs_models
from fengqiao.jurisdiction import models as jurisdiction_models
from fengqiao.linking import models as linking_models  # noqa: F401  (registers the tables)
from fengqiao.metrics import models as metrics_models  # noqa: F401  (registers the tables and the change listener)
from fengqiao.registers import models as registers_models  # noqa: F401  (registers the tables)
from fengqiao.reports import models as reports_models  # noqa: F401  (registers the tables)
from fengqiao.triage.classify import models as classifier_models  # noqa: F401  (registers the tables)
from fengqiao.triage.responsibility import models as responsibility_models
from fengqiao.warnings import models as warnings_models  # noqa: F401  (registers the tables)
from fengqiao.workcalendar import models as workcalendar_models

__all__ = [
    "Base",
    "accounts_models",
    "audit_models",
    "basedata_models",
    "duty_models",
    "events_models",
    "jobs_models",
    "jurisdiction_models",
    "responsibility_models",
    "workcalendar_models",
]
