"""Staff work screens (login, inbox, event list, event detail with actions): server-rendered, htmx for the rest."""

from __future__ import annotations

from fastapi import APIRouter

from fengqiao.web.work import auth, routes

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(routes.router)
