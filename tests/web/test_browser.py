"""The widget bar and the moderators' console in a real headless Chromium, against the real app and model.

One app per module (served by werkzeug in a thread, on a copy of the migrated database, with the embedded
model) and one browser; each test uses its own article and people. Auto-reject is off so that an insult the
model scores is held for a moderator rather than rejected outright; comments are rate limited for real
(3 a minute per user) so the 429 sentence comes from the server's own limiter.

Host pages are served by Playwright's router on the app's origin (route.fulfill), so a test can embed the
widget under any article with any token, as a news site would. Screenshots go to each test's tmp_path.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from engagement.auth import issue_token
from engagement.text import clean_user_text
from tests.conftest import TEST_SECRET, _test_config, database_copy

CHROMIUM = next(filter(None, (shutil.which(name) for name in ("chromium", "chromium-browser"))), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (scripts/test-all.sh installs it with apt)")
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip
TIMEOUT_MS = 15_000


NEWS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The news site</title></head>
<body><h1>Geneva talks</h1><div data-engagement-article="{article}"></div>
<script>window.engagementTokenProvider = async () => {token};</script>
<script src="{api}/widget/v1/engagement.js" defer></script></body></html>"""


@contextmanager
def serving(wsgi_app) -> Iterator[int]:
    http = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield http.server_port
    finally:
        http.shutdown()
        thread.join(timeout=10)
        http.server_close()


@pytest.fixture(scope="module")
def news_site() -> Iterator[dict[str, str]]:
    """A second local server, on another port (so another origin), standing in for the news site."""
    site: dict[str, str] = {}

    @Request.application
    def page(request: Request) -> Response:
        if request.path != "/article":
            return Response("not found", status=404)
        html = NEWS_PAGE.format(article=escape(request.args["id"]), token=json.dumps(request.args.get("token")), api=site["api"])
        return Response(html, mimetype="text/html")

    with serving(page) as port:
        site["origin"] = f"http://127.0.0.1:{port}"
        yield site


@pytest.fixture(scope="module")
def server(migrated_database: str, tmp_path_factory: pytest.TempPathFactory, news_site) -> Iterator[str]:
    from engagement import create_app
    from engagement.extensions import db

    overrides = {
        "MODERATION_SCORER": None,  # the real embedded model
        "REJECT_THRESHOLD": None,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_COMMENTS": "3/minute",
        "RATELIMIT_WRITES_PER_ADDRESS": "1000/minute",  # every person here writes from 127.0.0.1
        "CORS_ORIGINS": [news_site["origin"]],
    }
    directory = tmp_path_factory.mktemp("browser")
    # Rate-limit counters of its own: the default file in the instance folder outlives the run.
    overrides["RATELIMIT_STORAGE_URI"] = f"sqlite:///{directory / 'ratelimits.sqlite3'}"
    with database_copy(migrated_database, directory) as url:
        app = create_app(_test_config(url, **overrides))
        try:
            with serving(app) as port:
                news_site["api"] = f"http://127.0.0.1:{port}"
                yield news_site["api"]
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield browser
        browser.close()


def token(sub: str, role: str = "user", name: str | None = None) -> str:
    return issue_token(TEST_SECRET, sub, role, name or sub.capitalize())


class Api:
    """The HTTP API as a test's own client, for setup and for checking what the browser did."""

    def __init__(self, base: str, request) -> None:
        self.base = base
        self.request = request

    def call(self, method: str, path: str, who: str | None = None, body=None, headers=None):
        merged = dict(headers or {})
        if who:
            merged["Authorization"] = f"Bearer {who}"
        response = self.request.fetch(f"{self.base}/api/v1{path}", method=method, headers=merged, data=body)
        return response.status, (response.json() if response.body() else None)

    def article(self, author: str = "writer-1") -> str:
        article_id = f"a-{uuid.uuid4().hex[:10]}"
        status, _ = self.call("PUT", f"/articles/{article_id}", token("root", "admin"), {"title": "Geneva talks", "url": "https://news.example/g", "author_id": author})
        assert status == 201
        return article_id


@pytest.fixture
def api(server, browser) -> Iterator[Api]:
    context = browser.new_context()
    yield Api(server, context.request)
    context.close()


@pytest.fixture
def people(browser, server):
    """Opens a browser context per person; each embeds the widget on a host page of the app's origin."""
    contexts = []

    def open_widget(article_id: str, who: str | None, lang: str = "en", attrs: str = "", name: str = "host"):
        context = browser.new_context(viewport={"width": 900, "height": 1000}, locale="en-US")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        html = f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{name}</title>
<style>button {{ background: hotpink !important; font-size: 30px !important; }} * {{ direction: ltr; letter-spacing: 3px; }}</style></head>
<body><h1>A news article</h1><p>Body text of the article.</p>
<div data-engagement-article="{article_id}" data-poll-seconds="1" {attrs}></div>
<script>window.engagementTokenProvider = async () => {json.dumps(who)};</script>
<script src="/widget/v1/engagement.js" defer></script></body></html>"""
        path = f"/host/{uuid.uuid4().hex}"
        context.route(f"{server}{path}", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server + path)
        page.locator("[data-engagement-ready]").wait_for(state="attached")
        page.js_errors = errors
        return page

    def open_console(who: str):
        context = browser.new_context(viewport={"width": 1100, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server}/console")
        return page

    yield open_widget, open_console
    for context in contexts:
        context.close()


def status_text(page) -> str:
    return page.locator("p.status").inner_text()


def test_counter_counts_as_the_api_does_and_a_comment_is_posted(people, api, tmp_path: Path):
    open_widget, _ = people
    article_id = api.article()
    page = open_widget(article_id, token("alice"))
    assert page.locator(".empty").inner_text() == "No comments yet. Be the first."
    counter = page.locator(".compose .counter")
    assert counter.inner_text() == "0/400" and counter.get_attribute("aria-live") == "polite"
    post = page.locator(".compose button.primary")
    assert post.is_disabled()

    # The widget's count equals the API's for text that UTF-16 length, or a naive trim, would get wrong.
    tricky = [
        "  e\u0301 caf\u00e9 \U0001f600\U0001f1fb\U0001f1f3 \u4e2d\u6587  ",
        "\t\x00tab\x07 and\r\nCRLF\u2028\u3000",
        "\ufeffBOM stays\u00a0",
        "\u1100\u1161\u11a8 hangul jamo",
        "\x85next line\u200b zero width",
    ]
    counts = page.evaluate("(texts) => texts.map((t) => window.EngagementWidget.countText(t))", tricky)
    assert counts == [len(clean_user_text(text)) for text in tricky]

    box = page.locator(".compose textarea")
    box.fill("e\u0301\U0001f600 Geneva")
    assert counter.inner_text() == "9/400" and post.is_enabled()
    box.fill("\U0001f4b0" * 450)  # stops at 400 code points: the rest never enters the box
    assert counter.inner_text() == "400/400"
    assert page.evaluate("() => [...document.querySelector('[data-engagement-article]').shadowRoot.querySelector('.compose textarea').value].length") == 400

    box.fill("Custody rules with monthly proof of reserves: about time.")
    post.click()
    first = page.locator(".list > .comment").first
    first.locator(".body", has_text="about time").wait_for()
    assert status_text(page) == "Your comment is published."
    assert counter.inner_text() == "0/400"
    assert page.locator(".empty").is_hidden()
    page.locator("[data-action=comment] .count", has_text="1").wait_for()  # the counters re-read after the post
    # The host page's hostile button rule does not reach into the widget.
    assert page.locator("[data-action=comment]").evaluate("(el) => getComputedStyle(el).fontSize") == "14px"
    assert page.locator(".list .body").first.evaluate("(el) => getComputedStyle(el).letterSpacing") == "normal"
    page.screenshot(path=tmp_path / "widget.png", full_page=True)
    assert not page.js_errors

    # Editing within the window, and the count of what the API stored equals the counter.
    first.get_by_role("button", name="Edit").click()
    editor = first.locator("form.edit textarea")
    editor.fill("Custody rules with monthly proof of reserves: overdue.")
    assert first.locator("form.edit .counter").inner_text() == f"{len('Custody rules with monthly proof of reserves: overdue.')}/400"
    first.get_by_role("button", name="Save").click()
    page.locator(".list > .comment .body", has_text="overdue").wait_for()
    page.locator(".list > .comment .edited").wait_for()


def test_toxic_comment_is_held_for_its_author_only_until_a_moderator_approves_it(people, api, tmp_path: Path):
    open_widget, open_console = people
    article_id = api.article()
    author = open_widget(article_id, token("tox-author", name="Tox Author"))
    author.locator(".compose textarea").fill("You are a complete idiot.")
    author.locator(".compose button.primary").click()
    held = author.locator(".list > .comment.held")
    held.wait_for()
    notice = held.locator(".notice").inner_text()
    assert notice.startswith("Waiting for review — only you can see this.") and "insult" in notice
    assert status_text(author) == "Your comment is waiting for a moderator's review."
    author.screenshot(path=tmp_path / "held.png", full_page=True)

    reader = open_widget(article_id, token("reader-1"))
    assert reader.locator(".list > .comment").count() == 0 and reader.locator(".empty").is_visible()

    console = open_console(token("mod-1", "moderator"))
    console.locator("#token").fill(token("mod-1", "moderator", "Mia"))
    console.get_by_role("button", name="Sign in").click()
    item = console.locator("#queue .item", has_text="You are a complete idiot.")
    item.wait_for()
    assert "insult" in item.locator(".scores").inner_text()
    item.locator(".history", has_text="1 pending").wait_for()  # the author's record, from the history endpoint
    console.screenshot(path=tmp_path / "console.png", full_page=True)
    item.click()
    console.keyboard.press("a")
    item.locator(".item-actions .chip.approve").wait_for()

    # The author's widget notices the decision by itself (it re-reads held comments), no reload needed.
    author.locator(f".list > .comment[data-status=published] .body", has_text="complete idiot").wait_for()
    assert author.locator(".list > .comment.held").count() == 0
    reader.reload()
    reader.locator("[data-engagement-ready]").wait_for(state="attached")
    reader.locator(".list > .comment .body", has_text="complete idiot").wait_for()


def test_reward_repost_share_and_pin(people, api, tmp_path: Path):
    open_widget, _ = people
    article_id = api.article(author="writer-2")
    status, _ = api.call("POST", "/admin/users/carol/credits", token("root", "admin"), {"amount": 500}, {"Idempotency-Key": uuid.uuid4().hex})
    assert status == 201
    page = open_widget(article_id, token("carol"))

    page.locator("[data-action=reward]").click()
    assert page.locator("[data-action=reward]").get_attribute("aria-expanded") == "true"
    page.locator(".balance", has_text="Balance: 500 PTS").wait_for()
    page.locator(".chip", has_text="25").click()
    page.locator(".reward-form textarea").fill("For the clear reporting")
    page.get_by_role("button", name="Send 25 PTS").click()
    page.locator(".balance", has_text="Balance: 475 PTS").wait_for()
    assert status_text(page) == "Thank you! You sent 25 PTS."
    page.locator("[data-action=reward] .count", has_text="1").wait_for()
    _, rewards = api.call("GET", f"/articles/{article_id}/rewards")
    assert [(r["amount"], r["message"]) for r in rewards["items"]] == [(25, "For the clear reporting")]

    page.locator(".custom").fill("200000")  # over ENGAGEMENT_REWARD_MAX_AMOUNT: a 422 naming the field
    page.get_by_role("button", name="Send 200,000 PTS").click()
    page.locator("p.status.error").wait_for()
    assert status_text(page) == "Please check the amount: Must be at most 100000."
    page.keyboard.press("Escape")  # closes the panel and gives the focus back to its button
    assert page.locator(".panel").is_hidden()
    assert page.evaluate("() => document.querySelector('[data-engagement-article]').shadowRoot.activeElement.dataset.action") == "reward"

    page.locator("[data-action=repost]").click()
    page.locator(".panel textarea").fill("Worth reading")
    page.locator(".panel button.primary", has_text="Repost").click()
    page.locator("[data-action=repost][aria-pressed=true] .count", has_text="1").wait_for()
    assert status_text(page) == "Reposted."
    page.get_by_role("button", name="Undo repost").click()
    page.locator("[data-action=repost][aria-pressed=false] .count", has_text="0").wait_for()

    page.locator("[data-action=share]").click()
    channels = page.locator(".channels button")
    assert channels.count() == 8
    page.locator("[data-channel=copy_link]").click()
    page.locator("[data-channel=copy_link] .count", has_text="1").wait_for()
    page.locator("p.status", has_text="Link copied.").wait_for()
    page.locator("[data-action=share] .count", has_text="1").wait_for()
    assert page.locator("[data-action=pin]").count() == 0  # readers have no Pin

    admin = open_widget(article_id, token("root", "admin", "Root"))
    pin = admin.locator("[data-action=pin]")
    assert pin.get_attribute("aria-pressed") == "false"
    pin.click()
    admin.locator("[data-action=pin][aria-pressed=true]").wait_for()
    assert status_text(admin) == "Article pinned."
    _, pins = api.call("GET", "/pins")
    assert article_id in [p["id"] for p in pins["items"]]
    admin.screenshot(path=tmp_path / "admin.png", full_page=True)
    admin.locator("[data-action=pin]").click()
    admin.locator("[data-action=pin][aria-pressed=false]").wait_for()
    _, pins = api.call("GET", "/pins")
    assert article_id not in [p["id"] for p in pins["items"]]


def test_arabic_bar_lays_out_right_to_left(people, api, tmp_path: Path):
    open_widget, _ = people
    article_id = api.article()
    page = open_widget(article_id, token("dana"), lang="ar-EG")
    root = page.locator(".eg")
    assert root.get_attribute("dir") == "rtl" and root.get_attribute("lang") == "ar"
    assert root.evaluate("(el) => getComputedStyle(el).direction") == "rtl"
    reward, comment = page.locator("[data-action=reward]").bounding_box(), page.locator("[data-action=comment]").bounding_box()
    assert reward["x"] > comment["x"]  # the first action sits on the right
    assert page.locator("[data-action=reward] .label").inner_text() == "مكافأة"
    assert page.locator(".empty").inner_text() == "لا توجد تعليقات بعد. كن أول من يعلّق."
    counter, box = page.locator(".compose .counter").bounding_box(), page.locator(".compose textarea").bounding_box()
    assert counter["x"] < box["x"] + box["width"] / 2  # the counter at the inline end: the left
    page.screenshot(path=tmp_path / "arabic.png", full_page=True)

    spanish = open_widget(article_id, token("eva"), lang="en", attrs='data-lang="es"')
    assert spanish.locator(".eg").get_attribute("dir") == "ltr"
    assert spanish.locator("[data-action=share] .label").inner_text() == "Compartir"


def test_rate_limit_and_ban_are_plain_sentences(people, api):
    open_widget, _ = people
    article_id = api.article()
    page = open_widget(article_id, token("fast-fred"))
    box = page.locator(".compose textarea")
    for n in range(4):
        box.fill(f"Point number {n} about the custody framework.")
        page.locator(".compose button.primary").click()
        if n < 3:
            page.locator(".list > .comment .body", has_text=f"Point number {n} ").wait_for()
    page.locator("p.status.error").wait_for()
    assert status_text(page).startswith("Too many attempts. Please wait ") and status_text(page).endswith(" seconds and try again.")

    until = datetime.now(timezone.utc) + timedelta(days=2)
    status, _ = api.call("PUT", "/moderation/users/banned-ben/ban", token("mod-2", "moderator"), {"reason": "spam links", "until": until.isoformat()})
    assert status == 200
    banned = open_widget(article_id, token("banned-ben"))
    banned.locator(".compose textarea").fill("Buy my coin")
    banned.locator(".compose button.primary").click()
    banned.locator("p.status.error").wait_for()
    sentence = status_text(banned)
    assert sentence.startswith("You cannot post until ") and sentence.endswith("Reason: spam links.")
    assert str(until.year) in sentence


def test_console_is_usable_by_keyboard_alone(people, api, tmp_path: Path):
    _, open_console = people
    article_id = api.article()
    texts = ["You are a complete idiot.", "Shut up, you pathetic loser.", "Only a moron would write this garbage."]
    ids = []
    for n, text in enumerate(texts):
        status, comment = api.call("POST", f"/articles/{article_id}/comments", token(f"troll-{n}"), {"body": text})
        assert status == 201 and comment["status"] == "pending_review", comment
        ids.append(comment["id"])

    page = open_console(token("mod-3", "moderator"))
    assert page.evaluate("() => document.activeElement.id") == "token"
    page.keyboard.insert_text(token("mod-3", "moderator", "Kim"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    items = page.locator("#queue .item")
    for text in texts:
        page.locator("#queue .item", has_text=text).wait_for()
    assert items.count() >= 3
    # Focus lands on the oldest item; j moves down (past anything older), x selects, Shift+A approves the selection.
    focused = lambda: page.evaluate("() => document.activeElement.dataset.id")  # noqa: E731
    for _ in range(20):
        if focused() == str(ids[0]):
            break
        page.keyboard.press("j")
    assert focused() == str(ids[0])
    page.keyboard.press("x")
    page.keyboard.press("j")
    assert focused() == str(ids[1])
    page.keyboard.press("x")
    page.locator(".bulk", has_text="2 selected").wait_for()
    page.screenshot(path=tmp_path / "console-selected.png", full_page=True)
    page.keyboard.press("Shift+A")
    page.locator(f"#queue .item[data-id='{ids[1]}'] .item-actions .chip.approve").wait_for()
    assert page.locator(f"#queue .item[data-id='{ids[0]}'] .item-actions .chip.approve").is_visible()
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    assert focused() == str(ids[2])
    page.keyboard.press("r")
    page.locator(f"#queue .item[data-id='{ids[2]}'] .item-actions .chip.reject").wait_for()

    statuses = [api.call("GET", f"/comments/{i}", token("mod-3", "moderator"))[1]["status"] for i in ids]
    assert statuses == ["published", "published", "rejected"]

    # Back to the tabs with Shift+Tab, arrows to the audit log: the decisions are there, with a visible focus ring.
    for _ in range(40):
        if page.evaluate("() => document.activeElement.getAttribute('role')") == "tab":
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('role')") == "tab", page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") == "solid"
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.textContent") == "Audit log"
    decisions = page.locator("table.log tbody tr", has_text="mod-3")
    decisions.filter(has_text=re.compile(rf"comment {ids[2]}(?!\d)")).wait_for()
    assert "reject" in decisions.filter(has_text=re.compile(rf"comment {ids[2]}(?!\d)")).inner_text()
    assert "approve" in decisions.filter(has_text=re.compile(rf"comment {ids[0]}(?!\d)")).inner_text()


def test_demo_page_switches_between_reader_and_admin(browser, server, tmp_path: Path):
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{server}/demo")
        page.locator(".comments h2").wait_for()
        page.locator("[data-action=reward]").click()
        page.locator(".balance", has_text="PTS").wait_for()
        assert page.locator("[data-action=pin]").count() == 0
        page.screenshot(path=tmp_path / "demo-reader.png", full_page=True)
        page.select_option("#who", "admin")
        page.locator("[data-action=pin]").wait_for()
        page.select_option("#who", "")
        page.locator(".comments .hint", has_text="Sign in to comment.").wait_for()
        # The switcher's moderator or admin goes on to the console already signed in.
        page.select_option("#who", "moderator")
        page.locator(".comments .compose").wait_for()
        page.get_by_role("link", name="Moderators' console").click()
        page.locator("#who", has_text="Mia Ortega · moderator").wait_for()
        page.locator("#tab-pending_review[aria-selected=true]").wait_for()
        assert page.locator("#tab-pins").count() == 0  # pins are for admins
    finally:
        context.close()


def test_pages_of_comments_replies_likes_reports_and_deletion(people, api):
    open_widget, _ = people
    article_id = api.article()
    ids = []
    for n in range(11):
        status, comment = api.call("POST", f"/articles/{article_id}/comments", token(f"writer-{n}"), {"body": f"Remark {n:02d} on the custody deal."})
        assert status == 201 and comment["status"] == "published"
        ids.append(comment["id"])
    api.call("PUT", f"/comments/{ids[3]}/like", token("liker"))

    page = open_widget(article_id, token("gina", name="Gina"))
    comments = page.locator(".list > .comment")
    assert comments.count() == 10 and comments.first.locator(".body").inner_text() == "Remark 10 on the custody deal."
    page.get_by_role("button", name="Load more").click()
    page.locator(".list > .comment .body", has_text="Remark 00").wait_for()
    assert comments.count() == 11 and page.get_by_role("button", name="Load more").is_hidden()

    page.locator(".sort label", has_text="Top").click()
    page.locator(".list > .comment").first.locator(".body", has_text="Remark 03").wait_for()

    target = page.locator(f".list > .comment[data-id='{ids[5]}']")
    like = target.locator("button.like")
    like.click()
    target.locator("button.like[aria-pressed=true] .count", has_text="1").wait_for()

    target.get_by_role("button", name="Reply").click()
    target.locator("form.compose textarea").fill("Agreed, and the audit part matters most.")
    target.locator("form.compose button.primary").click()
    reply = target.locator(".replies > .comment")
    reply.locator(".body", has_text="audit part").wait_for()
    _, page_of_replies = api.call("GET", f"/articles/{article_id}/comments?parent_id={ids[5]}")
    assert [r["body"] for r in page_of_replies["items"]] == ["Agreed, and the audit part matters most."]

    other = page.locator(f".list > .comment[data-id='{ids[6]}']")
    other.get_by_role("button", name="Report").click()
    other.locator("form.report select").select_option("spam")
    other.locator("form.report button.primary").click()
    page.locator("p.status", has_text="Thanks — a moderator will look at it.").wait_for()
    other.get_by_role("button", name="Report").click()
    other.locator("form.report button.primary").click()
    page.locator("p.status.error", has_text="You already reported this comment.").wait_for()

    delete = reply.get_by_role("button", name="Delete")
    delete.click()
    reply.get_by_role("button", name="Delete for good?").click()
    target.locator(".replies > .comment.deleted .body", has_text="This comment was deleted.").wait_for()
    status, gone = api.call("GET", f"/comments/{page_of_replies['items'][0]['id']}")
    assert status == 200 and gone["deleted"] is True and gone["body"] is None
    assert not page.js_errors


def test_widget_works_from_another_origin_through_cors(browser, server, news_site, api):
    """A news site on another origin embeds the bar: the script, its styles and every API call cross origins."""
    article_id = api.article()
    context = browser.new_context(viewport={"width": 900, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        api_origins = []
        page.on("response", lambda r: api_origins.append(r.headers.get("access-control-allow-origin")) if "/api/v1/" in r.url else None)
        host_origin = news_site["origin"]
        page.goto(f"{host_origin}/article?{urlencode({'id': article_id, 'token': token('hana')})}")
        page.locator("[data-engagement-article][data-engagement-ready]").wait_for(state="attached")
        page.locator(".compose textarea").fill("Read from the news site's own domain.")
        page.locator(".compose button.primary").click()
        page.locator(".list > .comment .body", has_text="own domain").wait_for()
        assert api_origins and set(api_origins) == {host_origin}
        assert page.evaluate("() => location.origin") == host_origin != server

        # The same page from an origin not in ENGAGEMENT_CORS_ORIGINS: the browser blocks the API, the bar says so.
        stranger = host_origin.replace("127.0.0.1", "localhost")
        page.goto(f"{stranger}/article?{urlencode({'id': article_id, 'token': token('hana')})}")
        page.locator("p.status.error", has_text="Network problem. Please try again.").wait_for()
    finally:
        context.close()


def test_console_shows_pipeline_fields_when_the_queue_carries_them(people, api):
    """The moderation pipeline adds language, phase, reasons and matched terms to queue items: the console
    renders them when present. The real queue answer is fetched and those fields are added to it in flight."""
    _, open_console = people
    article_id = api.article()
    status, held = api.call("POST", f"/articles/{article_id}/comments", token("pipe-author"), {"body": "Total scam, you clowns. Buy GOLDCOIN now"})
    assert status == 201 and held["status"] == "pending_review", held
    page = open_console(token("mod-4", "moderator"))

    def add_pipeline_fields(route):
        response = route.fetch()
        queue = response.json()
        for item in queue["items"]:
            if item["id"] == held["id"]:
                item["moderation"].update(phase="wordlist", language="en", reasons=["suspect term"], matched_terms=["goldcoin", {"term": "scam"}])
        route.fulfill(response=response, json=queue)

    page.route("**/api/v1/moderation/queue?*", add_pipeline_fields)
    page.locator("#token").fill(token("mod-4", "moderator"))
    page.get_by_role("button", name="Sign in").click()
    item = page.locator(f"#queue .item[data-id='{held['id']}']")
    item.wait_for()
    assert item.locator(".item-head .chip", has_text="phase: wordlist").is_visible()
    assert item.locator(".item-head .chip", has_text="en").first.is_visible()
    assert item.locator(".text mark").all_inner_texts() == ["scam", "GOLDCOIN"]
    assert "suspect term" in item.locator(".reasons").inner_text()
    # Items without those fields (every other one) render as before.
    assert page.locator("#queue .item .text").count() >= 1
