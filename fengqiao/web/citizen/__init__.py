"""Citizen pages (no account): report by place code, progress by dispute code."""

from __future__ import annotations

from fengqiao.web.citizen.routes import citizen_limiters, router, staff_router

router.include_router(staff_router)

__all__ = ["citizen_limiters", "router"]
