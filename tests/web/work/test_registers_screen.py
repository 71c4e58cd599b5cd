"""Work screens of the key registers: lists, a project with task force and progress, persons always masked, places;
forms answer in Chinese on the page; other jurisdictions see nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fengqiao.registers import links
from fengqiao.registers import service as registers
from fengqiao.registers.models import KeyPerson, KeyProject
from fengqiao.registers.schemas import PersonIn, ProjectIn, ProjectPartyIn
from tests.events.world import World
from tests.registers.conftest import BUILDER, LIN, builder_party, register_event
from tests.web.work.conftest import login_as


def _project(world: World) -> KeyProject:
    return registers.create_project(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        data=ProjectIn(
            subclass_code="0201",
            name="城西玖都荟项目工地欠薪",
            unit_id=world.village.id,
            parties=[ProjectPartyIn(name="温岭市城西置业有限公司", credit_code=BUILDER)],
        ),
    )


def _person(world: World, category: str = "petitioner") -> KeyPerson:
    return registers.create_person(
        session=world.session,
        viewer=world.viewer("town_dispatcher"),
        data=PersonIn(name="林国强", id_number=LIN, category=category, unit_id=world.grid.id),
    )


def test_the_nav_links_to_the_registers(client: TestClient, world: World) -> None:
    login_as(client, world, "grid_worker")
    page = client.get("/work")
    assert 'data-testid="nav-registers"' in page.text


def test_project_list_and_detail_render(client: TestClient, world: World, db: Session) -> None:
    project = _project(world)
    event = register_event(world, content="工地拖欠农民工工资", parties=[builder_party()])
    links.link_events(session=db, event_ids=[event.id])
    login_as(client, world, "town_dispatcher")
    listing = client.get("/work/registers", params={"class_code": "02"})
    assert listing.status_code == 200
    assert "城西玖都荟项目工地欠薪" in listing.text
    assert 'data-testid="project-row"' in listing.text
    assert client.get("/work/registers", params={"class_code": "01"}).text.count('data-testid="project-row"') == 0
    detail = client.get(f"/work/registers/projects/{project.id}")
    assert detail.status_code == 200
    assert project.code in detail.text
    assert "人社部门" in detail.text
    assert "派出所" in detail.text
    assert 'data-testid="linked-event"' in detail.text
    assert "因关联调高" in detail.text


def test_creating_a_project_from_the_form(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    assert client.get("/work/registers/projects/new").status_code == 200
    response = client.post(
        "/work/registers/projects",
        data={
            "subclass_code": "0101",
            "name": "滨海花园逾期交付",
            "unit_id": str(world.village.id),
            "risk_level": "medium",
            "aliases": "滨海花园，滨海花园二期",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "331081-0101-0001" in page.text
    assert "住建部门" in page.text


def test_a_bad_form_answers_in_chinese_on_the_page(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    response = client.post(
        "/work/registers/projects",
        data={"subclass_code": "0101", "name": "短别名", "unit_id": str(world.village.id), "aliases": "花园"},
    )
    assert response.status_code == 422
    assert "别名至少3个字" in response.text
    assert 'data-testid="project-form"' in response.text


def test_progress_and_task_force_from_the_page(client: TestClient, world: World) -> None:
    project = _project(world)
    login_as(client, world, "town_dispatcher")
    seat = project.members[0].id
    staff_id = world.staff["department_handler"].id
    assigned = client.post(
        f"/work/registers/projects/{project.id}/members/{seat}",
        data={"staff_id": str(staff_id)},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    progressed = client.post(
        f"/work/registers/projects/{project.id}/progress",
        data={"percent": "60", "stage": "主体结顶", "note": "已补发工资"},
        follow_redirects=False,
    )
    assert progressed.status_code == 303
    page = client.get(f"/work/registers/projects/{project.id}")
    assert "department_handler姓名" in page.text
    assert "60%" in page.text
    assert "主体结顶" in page.text
    stale = client.post(
        f"/work/registers/projects/{project.id}/edit", data={"version": "1", "risk_level": "low", "status": "active"}
    )
    assert stale.status_code == 409
    assert "已被他人修改" in stale.text


def test_persons_are_masked_on_every_screen(client: TestClient, world: World) -> None:
    person = _person(world)
    login_as(client, world, "grid_worker")
    listing = client.get("/work/registers/persons")
    assert listing.status_code == 200
    assert "林**" in listing.text
    assert "林国强" not in listing.text
    assert LIN not in listing.text
    detail = client.get(f"/work/registers/persons/{person.id}")
    assert "林国强" not in detail.text
    assert LIN not in detail.text
    visited = client.post(
        f"/work/registers/persons/{person.id}/visits",
        data={"outcome": "stable", "note": "情绪平稳"},
        follow_redirects=False,
    )
    assert visited.status_code == 303
    assert "情况稳定" in client.get(f"/work/registers/persons/{person.id}").text


def test_restricted_persons_show_only_the_category(client: TestClient, world: World) -> None:
    person = _person(world, category="mental_health")
    login_as(client, world, "town_dispatcher")
    detail = client.get(f"/work/registers/persons/{person.id}")
    assert "严重精神障碍患者" in detail.text
    assert 'data-testid="person-restricted"' in detail.text
    assert 'data-testid="visit-note"' not in detail.text


def test_adding_a_person_from_the_list_page(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    response = client.post(
        "/work/registers/persons",
        data={"name": "林国强", "id_number": LIN, "category": "petitioner", "unit_id": str(world.grid.id)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    bad = client.post(
        "/work/registers/persons",
        data={"name": "林国强", "id_number": "123", "category": "petitioner", "unit_id": str(world.grid.id)},
    )
    assert bad.status_code == 422
    assert 'data-testid="person-error"' in bad.text


def test_places_list_add_and_detail(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    assert client.get("/work/registers/places").status_code == 200
    response = client.post(
        "/work/registers/places",
        data={
            "name": "东辉路群租房",
            "category": "group_rental",
            "unit_id": str(world.grid.id),
            "aliases": "东辉路群租",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "群租房" in page.text
    assert "东辉路群租" in page.text


def test_other_jurisdictions_see_nothing(client: TestClient, world: World) -> None:
    project = _project(world)
    person = _person(world)
    login_as(client, world, "other_town_dispatcher")
    assert "城西玖都荟" not in client.get("/work/registers").text
    assert client.get(f"/work/registers/projects/{project.id}").status_code == 404
    assert client.get(f"/work/registers/persons/{person.id}").status_code == 404


def test_a_grid_worker_sees_no_keeping_forms(client: TestClient, world: World) -> None:
    login_as(client, world, "grid_worker")
    page = client.get("/work/registers/persons")
    assert page.status_code == 200
    assert 'data-testid="person-form"' not in page.text
    assert 'data-testid="project-new"' not in client.get("/work/registers").text
