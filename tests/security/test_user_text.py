"""User text is shown as typed, never rendered as markup.

Streamlit renders Markdown (links, images, emphasis, colour directives, maths) in st.markdown,
captions, alerts, headings, metric values and every widget label; Plotly reads HTML tags in chart
titles. A product name, a plan comment, a scenario name or note, a decision or an action title
typed by one user must reach another user's screen as text: in a table (plain by nature) or,
in those Markdown places, escaped with `formatting.plain`.

The pages run in AppTest signed in, on a small world whose user text is hostile, and every
Markdown-rendering string on them is parsed with a CommonMark parser (markdown-it, raw HTML on):
none may yield an image, a link or the hostile bold.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genxsop_core.bootstrap import DEMO_USERS
from genxsop_core.cycle import workflow as cycle
from genxsop_core.demand import plans as demand_plans
from genxsop_core.persistence.db import get_engine
from genxsop_core.persistence.migrate import upgrade_database
from genxsop_core.plans.versions import row_token
from genxsop_ui.formatting import plain
from tests.security.test_role_matrix import PRODUCTS, SETUP, World, build_world, real_factory

markdown_it = pytest.importorskip("markdown_it")

IMAGE = "<img src=x onerror=alert(1)>"
LINK = "**bold** [link](javascript:alert(1))"
PICTURE = "![x](https://evil.example/x.png) :red[red] $x^2$ <https://evil.example>"
HOSTILE = (IMAGE, LINK, PICTURE)
PAGES = Path(__file__).resolve().parents[2] / "pages"
USERNAME = {role: username for username, _, role in DEMO_USERS}

COMMONMARK = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
COMMONMARK.validateLink = lambda url: True  # render javascript: links too, so that the check sees them


def markup_in(markdown: str) -> list[str]:
    """What a Markdown renderer makes of `markdown` beyond text: images, links, raw HTML, the hostile bold."""
    return re.findall(r"<(?:img|a|script|iframe)\b[^>]*>|<strong>bold</strong>", COMMONMARK.render(markdown))


# ---------------------------------------------------------------------------------------------------------------
# The helper itself.

@pytest.mark.parametrize("text", [*HOSTILE, "line one\n# heading\n- item\n1. first\n> quote\n| a | b |\n|---|---|",
                                  "see https://evil.example and www.evil.example", "<script>alert(1)</script>"])
def test_plain_text_renders_as_one_paragraph_of_the_same_text(text):
    rendered = COMMONMARK.render(plain(text))
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n") and rendered.count("<p>") == 1, rendered
    inner = rendered[3:-5]
    assert "<" not in inner.replace("&lt;", ""), rendered  # no tag at all: no link, image, emphasis, code
    assert html.unescape(inner) == " ".join(text.split()), rendered


MARKDOWN_CHARACTERS = st.text(alphabet=st.sampled_from(list("ab1 <>[]()!*_`#-+=.:/\\|~$&\"'\n\t")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(MARKDOWN_CHARACTERS)
def test_any_text_is_shown_as_typed(text):
    rendered = COMMONMARK.render(plain(text))
    body = re.sub(r"^<p>|</p>\n$", "", rendered)
    assert not re.search(r"<(?!/?p>)", body.replace("&lt;", "")), (text, rendered)
    assert html.unescape(body) == " ".join(text.split()) or not text.strip(), (text, rendered)


def test_ordinary_names_are_left_as_they_are():
    for name in ("Apple juice", "Salt & vinegar", "BEV-COF-001", "week.csv: 128 rows", "Demand +10%", "S&OP 2025-03"):
        assert plain(name) == name


# ---------------------------------------------------------------------------------------------------------------
# The pages, on a world whose user text is hostile.

@pytest.fixture(scope="module")
def hostile_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("hostile") / "world.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    products = PRODUCTS.replace("Apple juice", IMAGE).replace("Snacks,Salty", f"{IMAGE},{LINK}")  # B-1's category
    # and family
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GENXSOP_AUTO_HEAVY_MAX_SKUS", "0")
        world = build_world(url, {username: role for username, _, role in DEMO_USERS}, {"products": products},
                            scenario=(LINK, IMAGE), action_text=LINK, mar_plan_name=f"{LINK} {IMAGE}")
        f = real_factory(url)
        with f() as uow:
            row = uow.demand_plans.frame([world.mar.demand]).iloc[0]
        demand_plans.save_overrides(f(), SETUP, world.mar.demand, [demand_plans.OverrideEdit(
            "sku", row.sku, row.period.date(), 999.0, "PROMO", f"{IMAGE} {LINK}", row_token([row.row_version]),
            float(row.consensus))])
        cycle.record_decision(f(), SETUP, world.mar.cycle, f"{IMAGE} {LINK}", world.scenario)
        env.setenv("GENXSOP_DATABASE_URL", url)
        env.setenv("GENXSOP_DEMO", "0")
        env.setenv("GENXSOP_BUCKET", "week")
        yield world
    get_engine(url).dispose()


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


PLAIN_TYPES = {"text", "code", "json", "exception"}  # Streamlit shows their body as text


def markdown_strings(at) -> list[tuple[str, str]]:
    """(element type, string) for every string on the page that Streamlit renders as Markdown."""
    found = []
    for node in _nodes(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields") or node.type in PLAIN_TYPES:
            continue
        for field, value in proto.ListFields():
            if field.name in ("body", "label", "help", "text") and isinstance(value, str):
                found.append((node.type, value))
        if node.type == "radio":
            found += [("radio option", option) for option in proto.options]
    return found


def plain_strings(at) -> list[str]:
    """Tables and plain text: where user text may show as it is."""
    found = []
    for node in _nodes(at._tree):
        value = getattr(node, "value", None) if node.type in ("arrow_data_frame", "dataframe", "text") else None
        if isinstance(value, pd.DataFrame):
            found.append(value.to_string())
        elif isinstance(value, str):
            found.append(value)
    return found


def chart_titles(at) -> list[str]:
    titles = []
    for chart in at.get("plotly_chart"):
        title = json.loads(chart.proto.spec).get("layout", {}).get("title", {})
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def page(name: str, role: str, **state) -> object:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = USERNAME[role]
    at.session_state["name"] = USERNAME[role]
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def assert_shown_as_text(at, must_show: tuple[str, ...]) -> None:
    """No Markdown string of the page renders hostile markup, no chart title carries a tag, and each
    of `must_show` reached the page (in a table as typed, or escaped in a Markdown place)."""
    markdown = markdown_strings(at)
    for kind, text in markdown:
        assert not markup_in(text), f"{kind} renders user text as markup: {text!r} -> {markup_in(text)}"
        assert not any(h in text for h in HOSTILE), f"{kind} shows user text unescaped: {text!r}"
    for title in chart_titles(at):
        assert "<img" not in title and "<a" not in title, f"chart title carries a tag: {title!r}"
    shown = [t for _, t in markdown] + plain_strings(at) + chart_titles(at)
    for text in must_show:
        forms = (text, plain(text), text.replace("<", "&lt;").replace(">", "&gt;"))
        assert any(form in s for s in shown for form in forms), f"{text!r} is not on the page: the check proves nothing"


def test_data_page_export_and_an_upload_named_like_markup(hostile_world):
    at = page("data", "demand_planner")
    assert_shown_as_text(at, ())
    upload = f"{LINK}.csv"
    demand_file = b"sku,period,ordered_qty\nA-1,2025-03-03,5\n"
    at.file_uploader(key="upload_demand").upload(upload, demand_file, "text/csv").run()
    assert not at.exception and plain(upload) + ": 1 rows, all valid. Preview:" in [s.value for s in at.success]
    assert_shown_as_text(at, (LINK,))
    viewer = page("data", "viewer")  # the export shows the products table: names as typed
    assert_shown_as_text(viewer, (IMAGE,))


def test_demand_page_version_name_product_name_and_comment(hostile_world):
    at = page("demand", "demand_planner", dm_version=hostile_world.mar.demand, dm_sku="A-1")
    assert_shown_as_text(at, (IMAGE, f"{IMAGE} {LINK}", f"{LINK} {IMAGE}"))


def test_supply_and_inventory_pages_product_name(hostile_world):
    supply = page("supply", "supply_planner", sp_version=hostile_world.mar.supply, sp_sku="A-1")
    assert_shown_as_text(supply, (IMAGE,))
    inventory = page("inventory", "viewer", inv_version=hostile_world.mar.demand, inv_chart_sku="A-1")
    assert_shown_as_text(inventory, ())


def test_scenarios_page_scenario_name_note_and_category(hostile_world):
    at = page("scenarios", "coordinator", sc_version=hostile_world.mar.demand)
    assert_shown_as_text(at, (LINK, IMAGE))


def test_cycle_page_decision_and_action(hostile_world):
    at = page("cycle", "demand_planner", cy_cycle=hostile_world.mar.cycle)
    assert_shown_as_text(at, (f"{IMAGE} {LINK}", f"{LINK} (demand)"))
    assert any(b.label.startswith("Mark done: ") for b in at.button), "the action owner's button is the Markdown place"


def test_viewer_who_owns_an_action_gets_no_button_to_change_it(hostile_world):
    at = page("cycle", "viewer", cy_cycle=hostile_world.mar.cycle)
    assert not [b for b in at.button if b.label.startswith("Mark done")]


def test_meeting_mode_decisions(hostile_world):
    at = page("meeting", "executive", mt_step=4)
    assert_shown_as_text(at, ())


def test_kpi_page_for_a_category_named_like_markup(hostile_world):
    at = page("kpis", "coordinator", kpi_category=IMAGE)
    assert_shown_as_text(at, (IMAGE,))


@pytest.mark.parametrize("name, role", [("dashboard", "viewer"), ("home", "viewer"), ("admin", "admin")])
def test_other_pages(hostile_world, name, role):
    """(Forecasting shows product names only as select options, which Streamlit draws as text; its page
    probes the Chronos model, too slow to import here.)"""
    assert_shown_as_text(page(name, role), ())


def test_pinning_a_scenario_named_like_markup_says_so_as_text(hostile_world):
    at = page("scenarios", "coordinator", sc_version=hostile_world.feb.demand)
    at.text_input(key="sc_name").input(LINK).run()
    at.button(key="sc_pin").click().run()
    assert not at.exception and any(s.value.startswith("Pinned scenario #") for s in at.success)
    assert_shown_as_text(at, (LINK,))


def test_an_error_that_quotes_what_was_typed_shows_it_as_text(hostile_world):
    at = page("admin", "admin")
    form = {t.label: t for t in at.text_input}
    form["Username"].input(IMAGE)
    form["Full name"].input(LINK)
    form["Initial password"].input("long-enough-password")
    at.multiselect[0].set_value(["viewer"])
    at.button[0].click().run()
    assert not at.exception and [e.value for e in at.error] == [plain(
        f"username {IMAGE.lower()!r} must be 2-64 characters: letters, digits, '.', '_' or '-'")]
    assert_shown_as_text(at, (IMAGE.lower(),))
