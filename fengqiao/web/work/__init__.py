"""Staff work screens (login, inbox, event list, event detail with actions, registration, places,
patrol, responsibility lists, patterns):
server-rendered, htmx for the rest."""

from __future__ import annotations

from fastapi import APIRouter

from fengqiao.web.work import (
    alerts,
    assessment,
    auth,
    indices,
    patrol,
    patterns,
    places,
    register,
    registers,
    reports,
    responsibility,
    routes,
    warnings,
)

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(routes.router)
router.include_router(register.router)
router.include_router(places.router)
router.include_router(patrol.router)
router.include_router(responsibility.router)
router.include_router(patterns.router)
router.include_router(warnings.router)
router.include_router(registers.router)
router.include_router(reports.router)
router.include_router(assessment.router)
router.include_router(indices.router)
router.include_router(alerts.router)
