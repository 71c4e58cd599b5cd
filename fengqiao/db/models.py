"""Imports every table model so that ``Base.metadata`` is complete (for Alembic and for tests)."""

from fengqiao.basedata import models as basedata_models
from fengqiao.db.base import Base
from fengqiao.duty import models as duty_models
from fengqiao.jurisdiction import models as jurisdiction_models

__all__ = ["Base", "basedata_models", "duty_models", "jurisdiction_models"]
