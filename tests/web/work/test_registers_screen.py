"""Work screens of the key registers: lists, a project with task force and progress, persons always masked, places;
forms answer in Chinese on the page; other jurisdictions see nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fengqiao.registers import links
from fengqiao.registers import service as registers
from fengqiao.registers.models import KeyPerson, KeyProject
from fengqiao.registers.schemas import PersonIn, PlaceIn, ProjectIn, ProjectPartyIn
from fengqiao.web.work.registers import PAGE_SIZE
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


def test_a_refused_person_keeps_what_was_typed_except_the_id_number(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    bad = client.post(
        "/work/registers/persons",
        data={
            "name": "林国强",
            "id_number": LIN[:-1] + "0",
            "phone": "13905761234",
            "category": "petitioner",
            "unit_id": str(world.grid.id),
        },
    )
    assert bad.status_code == 422
    assert 'value="林国强"' in bad.text
    assert 'value="13905761234"' in bad.text
    id_input = re.search(r'<input name="id_number"[^>]*>', bad.text)
    assert id_input
    assert 'value=""' in id_input.group(0)  # the ID number is not written back into the form
    assert 'data-testid="person-id-number"' in bad.text
    assert "（严管，只登记类别）" in bad.text  # restricted categories are marked in the form


def _place(client: TestClient, world: World, name: str, category: str, level: str = "") -> str:
    response = client.post(
        "/work/registers/places",
        data={"name": name, "category": category, "level": level, "unit_id": str(world.grid.id), "aliases": name},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_the_place_list_filters_by_category_and_level_and_a_place_is_edited(client: TestClient, world: World) -> None:
    login_as(client, world, "town_dispatcher")
    _place(client, world, "东辉路群租房", "group_rental", "high")
    location = _place(client, world, "横湖桥网吧", "entertainment", "low")
    listing = client.get("/work/registers/places")
    assert listing.text.count('data-testid="place-row"') == 2
    assert 'data-testid="place-total">2<' in listing.text
    by_category = client.get("/work/registers/places", params={"category": "group_rental"})
    assert by_category.text.count('data-testid="place-row"') == 1
    assert "东辉路群租房" in by_category.text
    by_level = client.get("/work/registers/places", params={"level": "low"})
    assert by_level.text.count('data-testid="place-row"') == 1
    assert "横湖桥网吧" in by_level.text
    page = client.get(location)
    assert 'data-testid="place-title"' in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    edited = client.post(
        f"{location}/edit",
        data={"version": version.group(1), "level": "medium", "status": "active", "aliases": "横湖桥网吧，横湖网吧"},
        follow_redirects=True,
    )
    assert edited.status_code == 200
    assert "等级：中" in edited.text
    assert "横湖桥网吧、横湖网吧" in edited.text
    short = client.post(
        f"{location}/edit", data={"version": "2", "level": "medium", "status": "active", "aliases": "网吧"}
    )
    assert short.status_code == 422
    assert 'data-testid="place-error"' in short.text


def test_the_register_list_pages_with_its_filters(client: TestClient, world: World) -> None:
    for n in range(PAGE_SIZE + 1):
        registers.create_place(
            session=world.session,
            viewer=world.viewer("town_dispatcher"),
            data=PlaceIn(
                name=f"东辉路群租房{n}号", category="group_rental", unit_id=world.grid.id, aliases=[f"东辉路{n}号楼"]
            ),
        )
    login_as(client, world, "grid_worker")
    first = client.get("/work/registers/places", params={"category": "group_rental"})
    assert first.text.count('data-testid="place-row"') == PAGE_SIZE
    assert 'href="/work/registers/places?category=group_rental&amp;level=&amp;page=2">下一页' in first.text
    second = client.get("/work/registers/places", params={"category": "group_rental", "page": 2})
    assert second.text.count('data-testid="place-row"') == 1
    assert "上一页" in second.text
    assert "第 2 / 2 页" in second.text
