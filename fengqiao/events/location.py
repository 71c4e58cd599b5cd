"""Who owns what is registered where."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit


def dispatching_unit_for(*, session: Session, unit: Unit) -> Unit:
    """Who dispatches what is registered in ``unit``: a grid's matters go to its village; others dispatch their own."""
    if unit.kind == UnitKind.GRID.value and unit.parent_id is not None:
        parent = session.get(Unit, unit.parent_id)
        if parent is not None:
            return parent
    return unit
