/*
 * 政策问答 chat widget. One tag embeds it in any page:
 *
 *   <script src="https://HOST/widget.js" data-api="https://HOST" data-title="政策问答"></script>
 *
 * data-api       where the service runs (default: where this script came from)
 * data-title     the panel's heading (default 政策问答)
 * data-mode      "float" (button + panel, default) or "page" (fills the page: /widget/)
 * data-open      "true" opens the panel on load
 * data-suggestions  starter questions separated by "|"
 *
 * Plain JavaScript, no build step. Everything lives in a shadow root, so the host page's
 * CSS cannot break the widget and ours cannot leak out. Document text is only ever put
 * into the page as text nodes (textContent), never parsed as HTML: a passage containing
 * <script> shows those characters and runs nothing.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__zhengceWidgetLoaded) return;
  window.__zhengceWidgetLoaded = true;

  var MAX_QUESTION = 500;
  var MAX_CONTEXT = 10;  // turns of context sent, as /v1/ask accepts
  var TIMEOUT_MS = 30000;
  var REASONS = {
    out_of_scope_region: "已载入的文件不涉及问题中的地区。",
    year_not_covered: "文件中没有这一年份的规定或目标。",
    no_evidence: "文件中没有找到能直接回答的句子。",
    low_confidence: "找到的句子不足以确定答案，为避免误导，暂不作答。",
  };
  var SCRIPTS = [
    { key: "original", label: "原文", title: "显示文件原文" },
    { key: "simplified", label: "简", title: "以简体显示" },
    { key: "traditional", label: "繁", title: "以繁體顯示" },
  ];

  var data = script.dataset;
  var config = {
    api: (data.api || new URL(script.src, location.href).origin).replace(/\/+$/, ""),
    title: data.title || "政策问答",
    mode: data.mode === "page" ? "page" : "float",
    open: data.open === "true",
    // Without data-suggestions, starter questions come from the loaded documents.
    suggestions: data.suggestions
      ? data.suggestions.split("|").map(function (s) { return s.trim(); }).filter(Boolean)
      : null,
  };

  // ---- DOM helpers: text only, never innerHTML ------------------------------------------

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") el.textContent = value;
      else if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  /* text[from, to) as nodes, the [start, end) spans of `text` wrapped in <mark class=cls>.
     Offsets are the server's, in the original text; a converted text is sliced at the same
     offsets because display conversion maps character for character. */
  function marked(text, spans, from, to) {
    from = from || 0;
    to = to === undefined ? text.length : to;
    var pieces = [];
    var at = from;
    spans
      .filter(function (s) { return s && s.range && s.range[1] > s.range[0]; })
      .sort(function (a, b) { return a.range[0] - b.range[0]; })
      .forEach(function (span) {
        var start = Math.max(span.range[0], at);
        var end = Math.min(span.range[1], to);
        if (start >= end) return;
        if (start > at) pieces.push(showSlice(text, at, start));
        pieces.push(h("mark", { class: span.cls }, [showSlice(text, start, end)]));
        at = end;
      });
    if (at < to) pieces.push(showSlice(text, at, to));
    return pieces;
  }

  function nestedSpans(highlight) {
    // The answer sits inside the sentence: split the sentence around it.
    if (!highlight) return [];
    var s = highlight.sentence;
    var a = highlight.answer;
    if (!s) return a ? [{ range: a, cls: "hl-answer" }] : [];
    if (!a || a[0] < s[0] || a[1] > s[1]) return [{ range: s, cls: "hl-sentence" }];
    return [
      { range: [s[0], a[0]], cls: "hl-sentence" },
      { range: a, cls: "hl-answer" },
      { range: [a[1], s[1]], cls: "hl-sentence" },
    ];
  }

  // ---- state ----------------------------------------------------------------------------

  var state = {
    script: "original",
    turns: [],
    // The conversation since the last 新话题: sent with each question so that a
    // follow-up (那2026年呢？) is understood; the server keeps nothing.
    context: [],
    converted: { simplified: new Map(), traditional: new Map() },
    busy: false,
  };

  function show(text) {
    if (text === null || text === undefined) return "";
    if (state.script === "original") return text;
    var found = state.converted[state.script].get(text);
    return found === undefined ? text : found;
  }

  function showSlice(text, start, end) {
    var whole = show(text);
    // Should a conversion ever change the length, the original stays correct to show.
    return whole.length === text.length ? whole.slice(start, end) : text.slice(start, end);
  }

  // ---- network --------------------------------------------------------------------------

  function HttpError(status, detail, retryAfter) {
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }

  function post(path, body, signal) {
    return fetch(config.api + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: signal,
      credentials: "omit",
    }).then(function (res) {
      if (res.ok) return res;
      var retry = parseInt(res.headers.get("Retry-After") || "", 10);
      return res
        .json()
        .catch(function () { return {}; })
        .then(function (json) {
          throw new HttpError(res.status, json && json.detail, isNaN(retry) ? null : retry);
        });
    });
  }

  /* POST /v1/ask/stream and hand each server-sent event to onEvent(name, data). */
  function askStream(question, history, onEvent) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var finished = false;
    return post("/v1/ask/stream", { question: question, history: history }, controller.signal)
      .then(function (res) {
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function dispatch(block) {
          var name = "message";
          var lines = [];
          block.split("\n").forEach(function (line) {
            if (line.indexOf("event:") === 0) name = line.slice(6).trim();
            else if (line.indexOf("data:") === 0) lines.push(line.slice(5).replace(/^ /, ""));
          });
          if (!lines.length) return;
          if (name === "done") finished = true;
          onEvent(name, JSON.parse(lines.join("\n")));
        }
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) {
              if (buffer.trim()) dispatch(buffer);
              if (!finished) throw new HttpError(0, "interrupted", null);
              return;
            }
            buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
            var cut;
            while ((cut = buffer.indexOf("\n\n")) >= 0) {
              dispatch(buffer.slice(0, cut));
              buffer = buffer.slice(cut + 2);
            }
            return pump();
          });
        }
        return pump();
      })
      .finally(function () { clearTimeout(timer); });
  }

  function friendlyError(error) {
    if (error instanceof HttpError) {
      if (error.status === 429) {
        var wait = error.retryAfter ? "请 " + error.retryAfter + " 秒后" : "请稍后";
        return { text: "提问太频繁了，" + wait + "再试。", retryAfter: error.retryAfter };
      }
      if (error.status === 413 || error.status === 422) {
        return { text: "问题太长或格式不对，请改短一些（最多 " + MAX_QUESTION + " 字）。", fatal: true };
      }
      if (error.status === 0) return { text: "回答中途断开了，请重试。" };
      return { text: "服务暂时不可用（" + error.status + "），请稍后重试。" };
    }
    if (error && error.name === "AbortError") return { text: "等待时间过长，请重试。" };
    return { text: "网络连接失败，请检查网络后重试。" };
  }

  // ---- styles ---------------------------------------------------------------------------

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box}",
    ".root{--blue:#0b5cad;--blue-dark:#084785;--ink:#1f2329;--muted:#5b6270;--line:#dfe3ea;",
    "--paper:#fff;--soft:#f4f6f9;--mark:#ffe58f;--focus:#e8590c;",
    "font-family:system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC','Source Han Sans SC',",
    "'Microsoft YaHei',sans-serif;font-size:16px;line-height:1.6;color:var(--ink)}",
    "button,textarea{font:inherit;color:inherit}",
    ":focus-visible{outline:3px solid var(--focus);outline-offset:2px}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;",
    "align-items:center;gap:8px;padding:12px 18px;border:0;border-radius:28px;",
    "background:var(--blue);color:#fff;font-size:16px;cursor:pointer;",
    "box-shadow:0 4px 16px rgba(0,0,0,.25)}",
    ".launcher:hover{background:var(--blue-dark)}",
    ".launcher svg{width:22px;height:22px;fill:currentColor}",
    ".panel{display:flex;flex-direction:column;background:var(--paper);overflow:hidden}",
    ".float .panel{position:fixed;right:20px;bottom:88px;z-index:2147483001;width:400px;",
    "height:min(680px,calc(100vh - 110px));border-radius:12px;border:1px solid var(--line);",
    "box-shadow:0 8px 32px rgba(0,0,0,.22)}",
    ".page .panel{position:fixed;inset:0;max-width:880px;margin:0 auto;",
    "border-left:1px solid var(--line);border-right:1px solid var(--line)}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;gap:8px;padding:10px 12px 10px 16px;",
    "background:var(--blue);color:#fff}",
    "header h2{flex:1;margin:0;font-size:18px;font-weight:600;white-space:nowrap;",
    "overflow:hidden;text-overflow:ellipsis}",
    ".scripts{display:flex;border:1px solid rgba(255,255,255,.7);border-radius:6px;overflow:hidden}",
    ".scripts button{border:0;background:transparent;color:#fff;padding:2px 10px;cursor:pointer;",
    "min-height:32px;font-size:14px}",
    ".scripts button[aria-pressed=true]{background:#fff;color:var(--blue)}",
    ".icon{border:0;background:transparent;color:#fff;width:36px;height:36px;border-radius:6px;",
    "font-size:22px;line-height:1;cursor:pointer}",
    ".icon:hover{background:rgba(255,255,255,.15)}",
    ".log{flex:1;overflow-y:auto;padding:16px;background:var(--soft)}",
    ".intro{margin:0 0 8px;color:var(--muted)}",
    ".chips{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 16px;padding:0;list-style:none}",
    ".chips button{border:1px solid var(--blue);background:#fff;color:var(--blue);",
    "border-radius:16px;padding:4px 12px;font-size:14px;cursor:pointer;text-align:left}",
    ".chips button:hover{background:#eaf2fb}",
    ".q{margin:16px 0 8px auto;max-width:85%;width:fit-content;padding:8px 12px;",
    "border-radius:12px 12px 2px 12px;background:var(--blue);color:#fff;white-space:pre-wrap;",
    "overflow-wrap:anywhere}",
    ".a{margin:0 0 8px;padding:12px 14px;border-radius:2px 12px 12px 12px;background:#fff;",
    "border:1px solid var(--line);overflow-wrap:anywhere}",
    ".status{color:var(--muted);font-size:14px}",
    ".answer{margin:0 0 6px;font-size:26px;font-weight:700;line-height:1.35;color:var(--blue-dark)}",
    ".sentence{margin:0 0 8px}",
    ".answer.excerpt{font-size:17px;font-weight:500;line-height:1.6;white-space:pre-wrap}",
    ".answer.items{padding:0;list-style:none;display:grid;gap:4px}",
    ".answer.items li{padding:4px 8px;border-left:3px solid var(--blue);background:var(--soft)}",
    ".refusal{margin:0 0 6px;font-size:18px;font-weight:600}",
    ".validity{margin:4px 0 0;font-size:13px;color:var(--muted);display:flex;gap:6px;",
    "flex-wrap:wrap;align-items:center}",
    ".validity .badge{padding:0 6px;border-radius:4px;font-weight:600;border:1px solid}",
    ".validity.in_force .badge{color:#1b6e35;border-color:#1b6e35;background:#eef8f0}",
    ".validity.expired .badge,.validity.repealed .badge,.validity.superseded .badge{",
    "color:#a11d1d;border-color:#a11d1d;",
    "background:#fdeeee}",
    ".validity.draft .badge,.validity.not_yet .badge{color:#7a5300;border-color:#7a5300;",
    "background:#fff6e0}",
    ".understood{margin:0 0 8px;font-size:14px;color:var(--muted);display:flex;flex-wrap:wrap;",
    "gap:4px 10px;align-items:center}",
    ".linkish{border:0;background:none;padding:2px 0;color:var(--blue);text-decoration:underline;",
    "cursor:pointer;font:inherit;min-height:24px}",
    ".new-topic{border:1px solid rgba(255,255,255,.7);background:transparent;color:#fff;",
    "border-radius:6px;padding:2px 10px;font-size:14px;cursor:pointer;min-height:34px;white-space:nowrap}",
    ".new-topic:hover,.new-topic:focus-visible{background:#fff;color:var(--blue)}",
    ".topic-break{margin:4px 0 10px;text-align:center;font-size:13px;color:var(--muted)}",
    "mark{background:var(--mark);color:inherit;padding:0 1px;border-radius:2px}",
    "mark.hl-sentence{background:#fff7d6}",
    "mark.hl-answer{background:var(--mark);font-weight:700}",
    ".row{margin:6px 0 0;border-collapse:collapse;font-size:14px;width:100%}",
    ".row th,.row td{border:1px solid var(--line);padding:2px 6px;text-align:left;vertical-align:top}",
    ".row th{background:var(--soft);font-weight:600;color:var(--muted)}",
    ".sources h3{margin:12px 0 6px;font-size:14px;color:var(--muted);font-weight:600}",
    ".sources ol{margin:0;padding:0;list-style:none;display:grid;gap:8px}",
    ".card{border:1px solid var(--line);border-radius:8px;padding:8px 10px;background:#fff}",
    ".card .head{display:flex;gap:8px;align-items:flex-start}",
    ".num{flex:none;display:inline-grid;place-items:center;width:22px;height:22px;",
    "border-radius:50%;background:var(--blue);color:#fff;font-size:12px;margin-top:2px}",
    ".meta{flex:1;min-width:0}",
    ".doc{font-weight:600;font-size:15px}",
    ".sec,.unit{color:var(--muted);font-size:13px}",
    ".passage{margin:6px 0 0;font-size:14px;white-space:pre-wrap}",
    ".ctx{margin:4px 0 0;font-size:13px;color:var(--muted)}",
    ".where{font-size:12px;color:var(--muted)}",
    ".toggle{border:0;background:none;color:var(--blue);cursor:pointer;padding:4px 0;font-size:14px}",
    ".actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px;align-items:center}",
    ".actions button,.retry{border:1px solid var(--line);background:#fff;border-radius:6px;",
    "padding:4px 10px;min-height:36px;cursor:pointer;font-size:14px}",
    ".actions button[aria-pressed=true]{border-color:var(--blue);background:#eaf2fb}",
    ".actions button[aria-disabled=true]{cursor:default;opacity:.7}",
    ".note{font-size:13px;color:var(--muted)}",
    ".error{color:#a61b1b}",
    ".retry{margin-left:8px;color:var(--blue);border-color:var(--blue)}",
    "form{display:flex;gap:8px;align-items:flex-end;padding:10px 12px;border-top:1px solid var(--line);",
    "background:#fff}",
    "textarea{flex:1;resize:none;min-height:44px;max-height:140px;padding:10px 12px;",
    "border:1px solid #b8c0cc;border-radius:8px;line-height:1.5}",
    "textarea:focus-visible{outline:3px solid var(--focus);outline-offset:0}",
    ".send{flex:none;min-width:64px;height:44px;border:0;border-radius:8px;background:var(--blue);",
    "color:#fff;cursor:pointer;font-size:16px}",
    ".send:disabled{background:#8aa9cc;cursor:default}",
    ".hint{padding:0 12px 8px;font-size:12px;color:var(--muted);background:#fff}",
    "@media (max-width:480px){.float .panel{inset:0;width:auto;height:auto;right:0;bottom:0;",
    "border-radius:0;border:0}.root.open .launcher{display:none}.answer{font-size:24px}",
    ".log{padding:12px}.hint{display:none}}",
  ].join("");

  function applyStyles(shadow) {
    // A constructed sheet works under a host page's strict CSP where a <style> may not.
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      shadow.appendChild(h("style", { text: CSS }));
    }
  }

  // ---- the shell: launcher, panel, log, input -------------------------------------------

  var host = h("div", { "data-zhengce-widget": config.mode });
  var shadow = host.attachShadow({ mode: "open" });
  applyStyles(shadow);

  var ids = { panel: "zcw-panel", title: "zcw-title", input: "zcw-input", hint: "zcw-hint" };
  var announcer = h("div", { class: "sr", role: "status", "aria-live": "polite" });
  var log = h("div", {
    class: "log",
    role: "log",
    "aria-live": "polite",
    "aria-label": "对话记录",
    tabindex: "0",
  });
  var input = h("textarea", {
    id: ids.input,
    rows: "1",
    maxlength: String(MAX_QUESTION),
    placeholder: "请输入您的问题",
    "aria-describedby": ids.hint,
    enterkeyhint: "send",
  });
  var send = h("button", { type: "submit", class: "send", text: "发送", "aria-label": "发送问题" });
  var form = h("form", { "aria-label": "提问" }, [
    h("label", { class: "sr", for: ids.input, text: "输入您的问题" }),
    input,
    send,
  ]);
  var scriptButtons = SCRIPTS.map(function (s) {
    return h("button", {
      type: "button",
      text: s.label,
      title: s.title,
      "aria-label": s.title,
      "aria-pressed": s.key === state.script ? "true" : "false",
      "data-script": s.key,
      onclick: function () { setScript(s.key); },
    });
  });
  var closeButton =
    config.mode === "float"
      ? h("button", { type: "button", class: "icon", "aria-label": "关闭对话", text: "×",
          onclick: function () { setOpen(false); } })
      : null;
  var panel = h(
    "section",
    {
      class: "panel",
      id: ids.panel,
      role: config.mode === "float" ? "dialog" : "region",
      "aria-labelledby": ids.title,
      hidden: config.mode === "float",
    },
    [
      h("header", {}, [
        h("h2", { id: ids.title, text: config.title }),
        h("div", { class: "scripts", role: "group", "aria-label": "文字显示" }, scriptButtons),
        h("button", {
          type: "button",
          class: "new-topic",
          text: "新话题",
          title: "清除上下文：下一个问题单独理解",
          "aria-label": "开始新话题（清除上下文）",
          onclick: function () { newTopic(); },
        }),
        closeButton,
      ]),
      log,
      form,
      h("div", { class: "hint", id: ids.hint, text: "Enter 发送，Shift+Enter 换行。答案均摘自政策原文并注明出处。" }),
      announcer,
    ]
  );
  var launcher =
    config.mode === "float"
      ? h("button", {
          type: "button",
          class: "launcher",
          "aria-haspopup": "dialog",
          "aria-expanded": "false",
          "aria-controls": ids.panel,
          "aria-label": "打开" + config.title,
        }, [launcherIcon(), config.title])
      : null;
  var root = h("div", { class: "root " + config.mode, lang: "zh-CN" }, [launcher, panel]);
  shadow.appendChild(root);

  function launcherIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  function chips(list, questions) {
    questions.forEach(function (q) {
      list.appendChild(h("li", {}, [h("button", { type: "button", text: q, onclick: function () { ask(q); } })]));
    });
  }

  function intro() {
    var list = h("ul", { class: "chips", "aria-label": "推荐问题" }, []);
    if (config.suggestions) {
      chips(list, config.suggestions);
    } else {
      fetch(config.api + "/v1/suggestions", { credentials: "omit" })
        .then(function (res) { return res.ok ? res.json() : { suggestions: [] }; })
        .then(function (json) { chips(list, (json && json.suggestions) || []); })
        .catch(function () { /* no starters: the question box still works */ });
    }
    return h("div", { class: "welcome" }, [
      h("p", { class: "intro", text: "您好！我可以回答已载入的政策文件中的问题，每个答案都注明出处。可以试试：" }),
      list,
    ]);
  }
  log.appendChild(intro());

  // ---- opening, closing, keyboard -------------------------------------------------------

  function setOpen(open) {
    if (!launcher) return;
    panel.hidden = !open;
    root.classList.toggle("open", open);
    launcher.setAttribute("aria-expanded", String(open));
    if (open) input.focus();
    else launcher.focus();
  }

  if (launcher) {
    launcher.addEventListener("click", function () { setOpen(panel.hidden); });
    panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape") {
        e.preventDefault();
        setOpen(false);
      }
    });
  }

  input.addEventListener("keydown", function (e) {
    // isComposing: Enter that confirms a pinyin candidate must not send the question.
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      form.requestSubmit ? form.requestSubmit() : submit();
    }
  });
  input.addEventListener("input", autosize);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    submit();
  });

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 140) + "px";
  }

  function submit() {
    var question = input.value.trim();
    if (!question || state.busy) return;
    input.value = "";
    autosize();
    ask(question);
  }

  function setBusy(busy) {
    state.busy = busy;
    send.disabled = busy;
    send.textContent = busy ? "…" : "发送";
  }

  // ---- one question and its answer ------------------------------------------------------

  /* Clear the context: the next question is understood on its own. */
  function newTopic() {
    if (!state.context.length) return;
    state.context = [];
    log.appendChild(h("p", { class: "topic-break", role: "separator", text: "— 新话题 —" }));
    announce("已开始新话题，之前的对话不再作为上下文。");
    input.focus();
  }

  function remember(turn) {
    var r = turn.response;
    var first = r && !r.refused && r.citations && r.citations[0];
    state.context.push({ question: turn.question, answer: r && !r.refused ? r.answer : null,
      doc_id: first ? first.doc_id : null });
    state.context = state.context.slice(-MAX_CONTEXT);
  }

  function ask(question, alone) {
    if (state.busy) return;
    question = question.slice(0, MAX_QUESTION);
    var turn = { id: state.turns.length, question: question, phase: "searching", citations: [],
      answer: null, response: null, error: null, expanded: {}, rating: null, copied: false,
      history: alone ? [] : state.context.slice() };
    state.turns.push(turn);
    turn.el = h("article", { class: "turn", "aria-label": "问题 " + (turn.id + 1) });
    log.appendChild(turn.el);
    run(turn);
    scrollToTurn(turn);
  }

  function run(turn) {
    setBusy(true);
    turn.phase = "searching";
    turn.error = null;
    render(turn);
    announce("正在查找相关政策…");
    askStream(turn.question, turn.history, function (name, data) {
      if (name === "citations") {
        turn.citations = data;
        turn.phase = "citations";
      } else if (name === "answer") {
        turn.answer = data;
        turn.phase = "answered";
      } else if (name === "done") {
        turn.response = data;
        turn.citations = data.citations;
        turn.phase = "done";
      } else {
        return;
      }
      convertTurn(turn).then(function () { render(turn); });
      render(turn);
    })
      .then(function () {
        var r = turn.response;
        remember(turn);
        var understood = carriedOver(r) ? "按“" + show(r.understood_as) + "”理解。" : "";
        var refusal = r.reason === "not_in_force" ? notInForce(r.not_in_force) : "文件中没有找到答案，已列出相关内容。";
        announce(understood + (r.refused ? refusal : "答案：" + show(r.answer)));
      })
      .catch(function (error) {
        turn.phase = "error";
        turn.error = friendlyError(error);
        render(turn);
        announce(turn.error.text);
      })
      .finally(function () {
        setBusy(false);
        scrollToTurn(turn);
      });
  }

  function scrollToTurn(turn) {
    // Scroll the log only: scrollIntoView would also scroll the host page.
    var gap = turn.el.getBoundingClientRect().top - log.getBoundingClientRect().top;
    log.scrollTop += gap - 8;
  }

  function announce(text) {
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 30);
  }

  /* Rebuild a turn's DOM from its state, keeping keyboard focus on the same control. */
  function render(turn) {
    var active = shadow.activeElement;
    var focusKey = active && turn.el.contains(active) ? active.getAttribute("data-key") : null;
    var body = h("div", { class: "a", "aria-busy": turn.phase === "done" || turn.phase === "error" ? "false" : "true" });
    turn.el.replaceChildren(h("p", { class: "q", text: turn.question }), body);
    turn.el.setAttribute("data-phase", turn.phase);
    var lang = state.script === "traditional" ? "zh-Hant" : "zh-CN";
    body.setAttribute("lang", lang);
    if (turn.phase === "error") {
      renderError(turn, body);
    } else {
      renderAnswer(turn, body);
      renderSources(turn, body);
      if (turn.phase === "done") body.appendChild(actions(turn));
    }
    if (focusKey) {
      var again = turn.el.querySelector('[data-key="' + focusKey + '"]');
      if (again) again.focus();
    }
  }

  function renderError(turn, body) {
    var error = turn.error;
    var children = [h("span", { text: error.text })];
    if (!error.fatal) {
      children.push(h("button", {
        type: "button",
        class: "retry",
        text: "重试",
        "data-key": "retry",
        onclick: function () { if (!state.busy) run(turn); },
      }));
    }
    body.appendChild(h("p", { class: "error", role: "alert" }, children));
  }

  /* Steps and lists as the source writes them, one item a line: shown as a list (the
     source's own numbers kept in the text); a passage as a paragraph. */
  var EXCERPTS = { steps: "ol", list: "ul", passage: "p" };

  function excerptAnswer(answer) {
    var lines = show(answer.answer).split("\n").map(function (line) { return line.trim(); })
      .filter(function (line) { return line; });
    var tag = EXCERPTS[answer.answer_kind];
    if (tag === "p" || lines.length < 2) {
      return h("p", { class: "answer excerpt", text: lines.join("\n") });
    }
    var label = answer.answer_kind === "steps" ? "办理步骤" : "所列事项";
    return h(tag, { class: "answer excerpt items", "aria-label": label }, lines.map(function (line) {
      return h("li", { text: line });
    }));
  }

  function carriedOver(answer) {
    return Boolean(answer && answer.carried && answer.carried.length && answer.understood_as);
  }

  /* A follow-up read with the context says how it was read, with one click to ask the
     question again on its own. */
  function renderUnderstood(turn, body) {
    var answer = turn.response || turn.answer;
    if (!carriedOver(answer)) return;
    body.appendChild(h("p", { class: "understood" }, [
      h("span", { text: "按「" + show(answer.understood_as) + "」理解" }),
      h("button", {
        type: "button",
        class: "linkish",
        text: "不联系上文，单独提问",
        "data-key": "alone",
        onclick: function () { ask(turn.question, true); },
      }),
    ]));
  }

  function renderAnswer(turn, body) {
    var answer = turn.answer;
    if (!answer) {
      var waiting = turn.phase === "searching" ? "正在查找相关政策…" : "正在整理答案…";
      body.appendChild(h("p", { class: "status", text: waiting }));
      return;
    }
    renderUnderstood(turn, body);
    if (answer.refused && answer.reason === "not_in_force") {
      body.appendChild(h("p", { class: "refusal", text: "这个问题只有已不再有效的文件写到，暂不作答。" }));
      body.appendChild(h("p", { class: "note", text: notInForce(answer.not_in_force) }));
      return;
    }
    if (answer.refused) {
      body.appendChild(h("p", { class: "refusal", text: "抱歉，现有政策文件没有涉及这个问题。" }));
      body.appendChild(h("p", { class: "note", text: (REASONS[answer.reason] || "") + "以下是最接近的内容，供您参考。" }));
      return;
    }
    if (EXCERPTS[answer.answer_kind]) {
      body.appendChild(excerptAnswer(answer));
      renderCurated(answer, body);
      return;  // the excerpt is the source's own words: no sentence repeated under it
    }
    body.appendChild(h("p", { class: "answer", text: show(answer.answer) }));
    var highlight = turn.response && turn.response.highlight;
    var first = turn.citations[0];
    if (highlight && highlight.sentence && first) {
      var s = highlight.sentence;
      var inner = highlight.answer ? [{ range: highlight.answer, cls: "hl-answer" }] : [];
      body.appendChild(h("p", { class: "sentence" }, marked(first.text, inner, s[0], s[1])));
    } else if (answer.sentence) {
      body.appendChild(h("p", { class: "sentence", text: show(answer.sentence) }));
    }
    renderCurated(answer, body);
  }

  /* A curated answer (问答对) says so, with who wrote it and when; a curated statement
     says it is the author's own words, not a quotation. */
  function renderCurated(answer, body) {
    var entry = answer.curated && answer.curated_entry;
    if (!entry) return;
    var day = String(entry.created_at || "").slice(0, 10);
    var kind = entry.statement ? "工作人员说明" : "工作人员整理的答案";
    body.appendChild(h("p", { class: "note curated", text: kind + " · " + entry.author + " · " + day }));
  }

  function renderSources(turn, body) {
    if (!turn.citations.length) return;
    var refused = turn.answer && turn.answer.refused;
    var heading = refused ? "相关内容" : "来源";
    var list = h("ol", { "aria-label": heading });
    turn.citations.forEach(function (citation, i) {
      var highlight = i === 0 && turn.response && !refused ? turn.response.highlight : null;
      list.appendChild(card(turn, citation, i, highlight));
    });
    body.appendChild(h("div", { class: "sources" }, [h("h3", { text: heading }), list]));
  }

  /* Whether the cited document is in force: 现行有效 / 已失效 / 已废止, with its dates. */
  var VALIDITY = {
    in_force: "现行有效",
    expired: "已失效",
    repealed: "已废止",
    draft: "征求意见稿",
    not_yet: "尚未施行",
    superseded: "已有新版本",
  };

  /* The plain sentence under a not_in_force refusal: which document says it, why it is
     not used, and what is in force instead when that is known. */
  function notInForce(named) {
    var validity = (named && named.validity) || {};
    var name = named ? "《" + named.title.replace(/^《|》$/g, "") + "》" : "相关文件";
    var status = VALIDITY[validity.status] || "不在有效期内";
    var instead = validity.replaced_by_title
      ? "，现行的是《" + validity.replaced_by_title.replace(/^《|》$/g, "") + "》" : "";
    return "只有" + name + "写到这一点，该文件" + status + instead +
      "。为避免误导，不据此作答；以下是现行文件中最接近的内容，仅供参考。";
  }

  function badge(validity) {
    if (!validity || !VALIDITY[validity.status]) return null;
    var dates = [];
    if (validity.effective_from) dates.push(validity.effective_from + " 起施行");
    if (validity.expires_on) dates.push("有效期至 " + validity.expires_on);
    if (validity.status === "superseded" && validity.superseded_on) {
      dates.push(validity.superseded_on + " 起由新版本取代");
    }
    return h("div", { class: "validity " + validity.status }, [
      h("span", { class: "badge", text: VALIDITY[validity.status] }),
      dates.length ? h("span", { class: "dates", text: dates.join("，") }) : null,
    ]);
  }

  function card(turn, citation, i, highlight) {
    var key = "card-" + i;
    var open = !!turn.expanded[i];
    var passageId = "zcw-t" + turn.id + "-c" + i;
    var text = citation.text;
    var spans = nestedSpans(highlight);
    var row = tableRow(citation, spans);
    var shown = open || row ? { from: 0, to: text.length } : excerpt(text, highlight);
    var passage = row || h("p", { class: "passage", id: passageId },
      (shown.from > 0 ? ["…"] : [])
        .concat(marked(text, spans, shown.from, shown.to))
        .concat(shown.to < text.length ? ["…"] : []));
    var toggle = !row && (shown.to - shown.from < text.length || open)
      ? h("button", {
          type: "button",
          class: "toggle",
          "aria-expanded": String(open),
          "aria-controls": passageId,
          "data-key": key,
          text: open ? "收起" : "展开全文",
          onclick: function () { turn.expanded[i] = !open; render(turn); },
        })
      : null;
    return h("li", { class: "card", "data-doc": citation.doc_id }, [
      h("div", { class: "head" }, [
        h("span", { class: "num", "aria-hidden": "true", text: String(i + 1) }),
        h("div", { class: "meta" }, [
          h("div", { class: "doc" }, [h("span", { class: "sr", text: "来源 " + (i + 1) + "：" }), "《" + show(citation.title) + "》"]),
          h("div", { class: "sec", text: show(citation.section) }),
          citation.unit ? h("div", { class: "unit", text: "处理单位：" + show(citation.unit) }) : null,
          badge(citation.validity),
        ]),
      ]),
      citation.context && !row ? h("p", { class: "ctx", text: "表头：" + show(citation.context) }) : null,
      passage,
      h("div", { class: "where", text: "原文第 " + citation.start + "–" + citation.end + " 字" }),
      toggle,
    ]);
  }

  /* A table row ("5\t高新技术企业数（家）\t1932\t5000") read against its header
     ("…指标：序号 / 指标 / 2020年 / 2025年") as a two-row table; cells keep their offsets so
     the answer is marked in place. Null when the two do not line up. */
  function tableRow(citation, spans) {
    if (!citation.context || !/\t/.test(citation.text)) return null;
    var colon = citation.context.lastIndexOf("：");
    var header = citation.context.slice(colon + 1).split(" / ");
    var cells = [];
    var re = /[^\t\n]+/g;
    var m;
    while ((m = re.exec(citation.text))) {
      if (m[0].trim()) cells.push([m.index, m.index + m[0].length]);
    }
    if (cells.length !== header.length) return null;
    var caption = colon > 0 ? citation.context.slice(0, colon) : "";
    return h("table", { class: "row" }, [
      caption ? h("caption", { class: "ctx", text: show(caption) }) : null,
      h("tr", {}, header.map(function (name) { return h("th", { scope: "col", text: show(name) }); })),
      h("tr", {}, cells.map(function (c) {
        return h("td", {}, marked(citation.text, spans, c[0], c[1]));
      })),
    ]);
  }

  /* A collapsed card starts at the highlighted sentence (or the top) and shows a line or
     two; cutting mid-phrase before it would only make the reader guess. */
  function excerpt(text, highlight) {
    var limit = 90;
    if (text.length <= limit + 20) return { from: 0, to: text.length };
    var focus = highlight && highlight.sentence ? highlight.sentence : [0, 0];
    var from = focus[0];
    if (text.length - from < limit) {
      // Near the end: back up to the start of an earlier sentence for some context.
      var target = text.length - limit;
      var cut = Math.max(
        text.lastIndexOf("。", target), text.lastIndexOf("；", target), text.lastIndexOf("\n", target)
      );
      from = Math.min(from, cut + 1);
    }
    return { from: from, to: Math.min(text.length, Math.max(from + limit, focus[1] + 20)) };
  }

  function actions(turn) {
    var r = turn.response;
    var children = [];
    if (!r.refused) {
      children.push(h("button", {
        type: "button",
        "data-key": "copy",
        text: turn.copied ? "已复制" : "复制答案和出处",
        onclick: function () { copy(turn); },
      }));
    }
    [["up", "👍", "有帮助"], ["down", "👎", "没有帮助"]].forEach(function (vote) {
      children.push(h("button", {
        type: "button",
        "data-key": "vote-" + vote[0],
        "aria-label": vote[2],
        title: vote[2],
        "aria-pressed": String(turn.rating === vote[0]),
        // aria-disabled, not disabled: a disabled button drops keyboard focus to <body>.
        "aria-disabled": turn.rating !== null ? "true" : null,
        text: vote[1],
        onclick: function () { if (turn.rating === null) rate(turn, vote[0]); },
      }));
    });
    if (turn.rating) children.push(h("span", { class: "note", role: "status", text: turn.ratingNote || "" }));
    return h("div", { class: "actions" }, children);
  }

  function citationLine(citation) {
    return "——《" + show(citation.title) + "》" + show(citation.section);
  }

  function copy(turn) {
    var r = turn.response;
    var lines = [show(r.answer)];
    if (r.sentence) lines.push(show(r.sentence));
    if (r.citations[0]) lines.push(citationLine(r.citations[0]));
    var text = lines.join("\n");
    var done = function () { turn.copied = true; render(turn); announce("已复制答案和出处"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { legacyCopy(text) && done(); });
    } else if (legacyCopy(text)) {
      done();
    }
  }

  function legacyCopy(text) {
    var area = h("textarea", { class: "sr", readonly: true });
    area.value = text;
    shadow.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }

  function rate(turn, rating) {
    var r = turn.response;
    var first = r.citations[0] || {};
    turn.rating = rating;
    turn.ratingNote = "正在提交…";
    render(turn);
    post("/v1/feedback", {
      rating: rating,
      question: r.question,
      answer: r.answer,
      refused: r.refused,
      doc_id: first.doc_id || null,
      section: first.section || null,
    })
      .then(function () { turn.ratingNote = "感谢您的反馈！"; })
      .catch(function (error) {
        turn.rating = null;
        turn.ratingNote = "";
        announce("反馈没有提交成功：" + friendlyError(error).text);
      })
      .finally(function () { render(turn); });
  }

  // ---- 简/繁 display --------------------------------------------------------------------

  function textsOf(turn) {
    var texts = [];
    if (turn.answer) texts.push(turn.answer.answer, turn.answer.sentence);
    turn.citations.forEach(function (c) { texts.push(c.title, c.section, c.context, c.text); });
    return texts.filter(function (t) { return typeof t === "string" && t; });
  }

  function convert(texts, script) {
    var cache = state.converted[script];
    var missing = Array.from(new Set(texts)).filter(function (t) {
      return !cache.has(t) && t.length <= 5000;
    });
    var batches = [];
    for (var i = 0; i < missing.length; i += 100) batches.push(missing.slice(i, i + 100));
    return Promise.all(batches.map(function (batch) {
      return post("/v1/convert", { texts: batch, to: script })
        .then(function (res) { return res.json(); })
        .then(function (json) {
          batch.forEach(function (t, j) { cache.set(t, json.texts[j]); });
        });
    }));
  }

  function convertTurn(turn) {
    if (state.script === "original") return Promise.resolve();
    return convert(textsOf(turn), state.script).catch(function () {});
  }

  function setScript(script) {
    if (script === state.script) return;
    var texts = [];
    state.turns.forEach(function (turn) { texts = texts.concat(textsOf(turn)); });
    var ready = script === "original" ? Promise.resolve() : convert(texts, script);
    ready
      .then(function () {
        state.script = script;
        scriptButtons.forEach(function (b) {
          b.setAttribute("aria-pressed", String(b.getAttribute("data-script") === script));
        });
        state.turns.forEach(render);
        announce(script === "original" ? "显示原文" : script === "simplified" ? "已切换为简体显示" : "已切換為繁體顯示");
      })
      .catch(function (error) { announce("切换失败：" + friendlyError(error).text); });
  }

  // ---- mount ----------------------------------------------------------------------------

  function mount() {
    document.body.appendChild(host);
    if (config.mode === "page") input.focus();
    else if (config.open) setOpen(true);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
