/*
 * 政策问答 staff console (/admin/). Plain JavaScript, no build step, served under a strict
 * Content-Security-Policy. Document text only ever enters the page as text nodes
 * (textContent), never as HTML. The key is kept in sessionStorage (this tab only) and
 * sent as X-API-Key; what a key may do is the server's decision (403), the page only
 * hides the buttons a viewer cannot use.
 */
(function () {
  "use strict";

  var KEY_STORE = "qa-console-key";
  var ROLES = ["viewer", "editor", "admin"];
  var ROLE_NAMES = { viewer: "查看", editor: "编辑", admin: "管理员" };
  var STATUS_NAMES = {
    in_force: "现行有效", expired: "已失效", repealed: "已废止", draft: "征求意见稿",
    not_yet: "尚未施行", superseded: "已被新版本取代",
  };
  var CURATED_STATES = { active: "生效中", expired: "已过期", broken: "引用失效" };
  var REASON_NAMES = {
    disliked: "用户点踩", no_evidence: "无依据", low_confidence: "把握不足",
    year_not_covered: "年份不在文件内", out_of_scope_region: "地区不符", not_in_force: "文件已失效",
    empty_question: "空问题",
  };
  var RULES = {
    curated: "问答对", two_part: "两问分答", table: "表格单元格", sentence: "句子抽取",
    excerpt: "原文摘录", refused: "拒答",
  };
  var KINDS = { passage: "段落", figure: "数值", entity: "名称", date: "日期", list: "列表", steps: "步骤" };
  var TABS = [
    { id: "documents", label: "文档", role: "viewer" },
    { id: "unanswered", label: "未答问题", role: "viewer" },
    { id: "curated", label: "问答对", role: "viewer" },
    { id: "search", label: "检索测试", role: "viewer" },
    { id: "usage", label: "使用统计", role: "viewer" },
    { id: "keys", label: "密钥", role: "admin" },
  ];

  var state = { key: null, role: null, documents: [], curated: [], tab: null, editing: null };

  // ---- helpers: text only, never innerHTML ----------------------------------------------

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") el.textContent = value;
      else if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), value);
      else if (name === "value") el.value = value;
      else el.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return el;
  }

  function $(id) { return document.getElementById(id); }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

  function announce(text) { $("live").textContent = text; }

  function can(role) { return ROLES.indexOf(state.role) >= ROLES.indexOf(role); }

  function day(stamp) { return String(stamp || "").replace("T", " ").slice(0, 16); }

  function field(label, control, wide) {
    var id = control.id || ("f-" + Math.random().toString(36).slice(2));
    control.id = id;
    return h("div", { class: "field" + (wide ? " wide" : "") }, [h("label", { for: id, text: label }), control]);
  }

  /* JSON from the API; a failure rejects with the server's own message. */
  function api(method, path, body) {
    var init = { method: method, headers: { "X-API-Key": state.key } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        if (response.status === 401) signOut("密钥无效或已被吊销，请重新登录。");
        var detail = data && data.detail ? data.detail : "HTTP " + response.status;
        throw new Error(response.status === 403 ? "当前密钥无权执行此操作（" + detail + "）" : detail);
      });
    });
  }

  function failure(el) {
    return function (error) { el.textContent = "出错了：" + error.message; };
  }

  // ---- signing in -------------------------------------------------------------------------

  function signIn(key) {
    state.key = key;
    return api("GET", "/v1/whoami").then(function (who) {
      sessionStorage.setItem(KEY_STORE, key);
      state.role = who.role;
      $("who").textContent = "角色：" + (ROLE_NAMES[who.role] || who.role) + "（" + who.label + "）";
      $("who").hidden = false;
      $("sign-out").hidden = false;
      $("sign-in").hidden = true;
      $("console").hidden = false;
      buildTabs();
      select(location.hash.slice(1) || "documents");
    });
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY_STORE);
    state.key = state.role = null;
    $("console").hidden = true;
    $("who").hidden = true;
    $("sign-out").hidden = true;
    $("sign-in").hidden = false;
    $("sign-in-error").textContent = message || "";
    $("key").value = "";
    $("key").focus();
  }

  // ---- tabs (arrow keys move between them, as the ARIA tabs pattern asks) ----------------

  function visibleTabs() { return TABS.filter(function (t) { return can(t.role); }); }

  function buildTabs() {
    var nav = clear($("tabs"));
    var panels = clear($("panels"));
    visibleTabs().forEach(function (tab) {
      nav.appendChild(h("button", {
        type: "button", role: "tab", id: "tab-" + tab.id, "aria-controls": "panel-" + tab.id,
        "aria-selected": "false", tabindex: "-1", text: tab.label,
        onclick: function () { select(tab.id); },
        onkeydown: function (event) { moveTab(event, tab.id); },
      }));
      panels.appendChild(h("section", {
        class: "panel", role: "tabpanel", id: "panel-" + tab.id, "aria-labelledby": "tab-" + tab.id,
        hidden: true, tabindex: "0",
      }));
    });
  }

  function moveTab(event, id) {
    var tabs = visibleTabs().map(function (t) { return t.id; });
    var at = tabs.indexOf(id);
    var next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    var target = tabs[(next + tabs.length) % tabs.length];
    select(target);
    $("tab-" + target).focus();
  }

  function select(id, options) {
    if (!visibleTabs().some(function (t) { return t.id === id; })) id = "documents";
    state.tab = id;
    if (location.hash.slice(1) !== id) history.replaceState(null, "", "#" + id);
    visibleTabs().forEach(function (tab) {
      var selected = tab.id === id;
      $("tab-" + tab.id).setAttribute("aria-selected", String(selected));
      $("tab-" + tab.id).tabIndex = selected ? 0 : -1;
      $("panel-" + tab.id).hidden = !selected;
    });
    RENDER[id](clear($("panel-" + id)), options || {});
  }

  // ---- 文档 -------------------------------------------------------------------------------

  function renderDocuments(panel) {
    panel.appendChild(h("h2", { text: "文档" }));
    if (can("editor")) panel.appendChild(uploadForm());
    var status = h("p", { class: "error", role: "alert" });
    var table = h("table", { "aria-label": "已载入的文档" });
    var detail = h("div", { id: "document-detail" });
    panel.appendChild(status);
    panel.appendChild(table);
    panel.appendChild(detail);
    return loadDocuments().then(function (docs) {
      table.appendChild(h("thead", {}, [h("tr", {}, ["标题", "发文机关", "日期", "段落数", "有效性", "操作"].map(function (t, i) {
        return h("th", { scope: "col", class: i === 3 ? "num" : null, text: t });
      }))]));
      var body = h("tbody");
      if (!docs.length) body.appendChild(h("tr", {}, [h("td", { colspan: "6", text: "还没有文档。" })]));
      docs.forEach(function (doc) { body.appendChild(documentRow(doc, status, detail)); });
      table.appendChild(body);
    }).catch(failure(status));
  }

  function loadDocuments() {
    return api("GET", "/v1/documents").then(function (docs) {
      state.documents = docs;
      return docs;
    });
  }

  function validityBadge(status) {
    if (!status) return h("span", { text: "—" });
    return h("span", { class: "badge " + status, text: STATUS_NAMES[status] || status });
  }

  function documentRow(doc, status, detail) {
    var actions = [h("button", { type: "button", text: "查看段落", onclick: function () { showChunks(doc, detail); } })];
    if (can("editor")) {
      actions.push(h("button", {
        type: "button", class: "danger", text: "删除", "aria-label": "删除《" + doc.title + "》",
        onclick: function () { deleteDocument(doc, status); },
      }));
    }
    return h("tr", {}, [
      h("td", {}, [h("strong", { text: doc.title }), h("div", { class: "meta", text: doc.doc_id })]),
      h("td", { text: doc.issuer || "—" }),
      h("td", { text: doc.date || "—" }),
      h("td", { class: "num", text: String(doc.chunks) }),
      h("td", {}, [validityBadge(doc.validity)]),
      h("td", {}, [h("div", { class: "cell-actions" }, actions)]),
    ]);
  }

  function deleteDocument(doc, status) {
    if (!window.confirm("确定删除《" + doc.title + "》及其全部版本？删除后问答将不再引用它。")) return;
    api("DELETE", "/v1/documents/" + encodeURIComponent(doc.doc_id)).then(function () {
      announce("已删除《" + doc.title + "》");
      select("documents");
    }).catch(failure(status));
  }

  function showChunks(doc, detail) {
    clear(detail).appendChild(h("h3", { text: "《" + doc.title + "》的段落（按索引切分）" }));
    var list = h("div", { class: "chunks", tabindex: "0", "aria-label": "段落列表" });
    detail.appendChild(list);
    api("GET", "/v1/documents/" + encodeURIComponent(doc.doc_id) + "/chunks").then(function (chunks) {
      chunks.forEach(function (chunk) {
        list.appendChild(h("div", { class: "chunk" }, [
          h("div", { class: "sec", text: (chunk.section || doc.title) + "　[" + chunk.start + "–" + chunk.end + "]" }),
          h("p", { class: "passage", text: chunk.text }),
        ]));
      });
      detail.scrollIntoView({ block: "start" });
    }).catch(failure(list));
  }

  /* Upload through XMLHttpRequest: fetch cannot report upload progress. */
  function uploadForm() {
    var file = h("input", { type: "file", name: "file", required: true, accept: ".txt,.md,.html,.htm,.docx,.pdf,.csv,.xlsx" });
    var title = h("input", { type: "text", name: "title", maxlength: "200", placeholder: "留空则取文件首行" });
    var progress = h("progress", { max: "100", value: "0", hidden: true, "aria-label": "上传进度" });
    var message = h("p", { role: "status" });
    var form = h("form", { class: "bar", "aria-label": "上传文档" }, [
      field("文档文件（txt、md、html、docx、pdf，或问答表 csv、xlsx）", file),
      h("div", { class: "grow" }, [field("标题（可选）", title)]),
      h("button", { type: "submit", class: "primary", text: "上传" }),
      progress,
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!file.files.length) return;
      var data = new FormData();
      data.append("file", file.files[0]);
      if (title.value.trim()) data.append("title", title.value.trim());
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/v1/documents");
      xhr.setRequestHeader("X-API-Key", state.key);
      progress.hidden = false;
      progress.value = 0;
      message.className = "";
      message.textContent = "正在上传…";
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
        if (e.loaded === e.total) message.textContent = "已上传，正在切分并建立索引…";
      };
      xhr.onerror = function () { message.className = "error"; message.textContent = "上传失败：无法连接服务。"; };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status === 201) {
          announce("已上传《" + body.title + "》");
          select("documents");
          return;
        }
        progress.hidden = true;
        message.className = "error";
        message.setAttribute("role", "alert");
        message.textContent = "无法载入这个文件：" + (body.detail || "HTTP " + xhr.status);
      };
      xhr.send(data);
    });
    return h("div", {}, [form, message]);
  }

  // ---- 未答问题 ---------------------------------------------------------------------------

  function renderUnanswered(panel) {
    panel.appendChild(h("h2", { text: "未答问题" }));
    var note = h("p", { class: "note" });
    var list = h("div", { "aria-label": "未答问题分组" });
    panel.appendChild(note);
    panel.appendChild(list);
    api("GET", "/v1/questions/unanswered").then(function (data) {
      var modes = { refused: "只保存被拒答的问题", all: "保存全部问题", off: "不保存问题（QA_QUESTION_LOG=off）" };
      note.textContent = "拒答的问题与被点踩的回答，按语义分组；个人信息已在保存前遮盖。问题日志：" + (modes[data.mode] || data.mode) + "。";
      if (!data.groups.length) list.appendChild(h("p", { text: "暂无未答问题。" }));
      data.groups.forEach(function (group) { list.appendChild(groupCard(group)); });
    }).catch(failure(note));
  }

  function groupCard(group) {
    var lead = group.questions[0];
    var others = group.questions.slice(1);
    var actions = [h("button", { type: "button", text: "检索测试", onclick: function () { select("search", { query: lead.question }); } })];
    if (can("editor")) {
      actions.push(h("button", {
        type: "button", class: "primary", text: "写问答对",
        onclick: function () {
          select("curated", { draft: { question: lead.question, variants: others.map(function (q) { return q.question; }) } });
        },
      }));
    }
    return h("article", { class: "card" }, [
      h("div", { class: "head" }, [
        h("span", { class: "q", text: lead.question }),
        h("span", { class: "meta", text: "共 " + group.count + " 次 · 最近 " + day(group.last_asked) }),
        h("span", { class: "meta", text: group.reasons.map(function (r) { return REASON_NAMES[r] || r; }).join("、") }),
      ]),
      others.length ? h("ul", { class: "meta" }, others.map(function (q) {
        return h("li", { text: q.question + "（" + q.count + " 次）" });
      })) : null,
      h("div", { class: "cell-actions" }, actions),
    ]);
  }

  // ---- 问答对 -----------------------------------------------------------------------------

  function renderCurated(panel, options) {
    panel.appendChild(h("h2", { text: "问答对" }));
    panel.appendChild(h("p", { class: "note", text: "与问答对高度相近的提问直接得到这里的答案，并附所引段落。答案须见于所引段落；不在段落中的，须标为“工作人员说明”。" }));
    var status = h("p", { class: "error", role: "alert" });
    var list = h("div", { "aria-label": "问答对列表" });
    var formHolder = h("div");
    panel.appendChild(formHolder);
    panel.appendChild(status);
    panel.appendChild(list);
    Promise.all([api("GET", "/v1/curated"), state.documents.length ? state.documents : loadDocuments()]).then(function (loaded) {
      state.curated = loaded[0];
      if (can("editor")) formHolder.appendChild(curatedForm(options.draft || null, options.entry || null));
      if (!state.curated.length) list.appendChild(h("p", { text: "还没有问答对。" }));
      state.curated.forEach(function (entry) { list.appendChild(curatedCard(entry, status)); });
    }).catch(failure(status));
  }

  function curatedCard(entry, status) {
    var actions = [];
    if (can("editor")) {
      actions.push(h("button", { type: "button", text: "修改", onclick: function () { select("curated", { entry: entry }); } }));
      actions.push(h("button", {
        type: "button", class: "danger", text: "删除",
        onclick: function () {
          if (!window.confirm("确定删除问答对“" + entry.question + "”？")) return;
          api("DELETE", "/v1/curated/" + entry.id).then(function () { select("curated"); }).catch(failure(status));
        },
      }));
    }
    return h("article", { class: "card" }, [
      h("div", { class: "head" }, [
        h("span", { class: "q", text: entry.question }),
        h("span", { class: "badge " + entry.state, text: CURATED_STATES[entry.state] || entry.state }),
        h("span", { class: "meta", text: "使用 " + entry.uses + " 次 · 有效期至 " + entry.expires_on + " · " + entry.author + " " + day(entry.updated_at) }),
      ]),
      entry.variants.length ? h("p", { class: "meta", text: "变体：" + entry.variants.join("；") }) : null,
      h("p", {}, [h("strong", { text: (entry.statement ? "说明：" : "答案：") }), entry.answer]),
      h("p", { class: "meta", text: "引用：《" + (entry.title || entry.doc_id) + "》" + (entry.section ? " " + entry.section : "") + "　[" + entry.start + "–" + entry.end + "]" }),
      h("div", { class: "cell-actions" }, actions),
    ]);
  }

  function inAYear() {
    var d = new Date();
    d.setFullYear(d.getFullYear() + 1);
    return d.toISOString().slice(0, 10);
  }

  function curatedForm(draft, entry) {
    var base = entry || draft || {};
    var question = h("input", { type: "text", required: true, maxlength: "200", value: base.question || "" });
    var variants = h("textarea", { rows: "2", value: (base.variants || []).join("\n") });
    var answer = h("textarea", { rows: "2", required: true, maxlength: "400", value: base.answer || "" });
    var kind = h("select", {}, Object.keys(KINDS).map(function (k) { return h("option", { value: k, text: KINDS[k] }); }));
    kind.value = base.answer_kind || "passage";
    var docs = h("select", { required: true }, [h("option", { value: "", text: "选择文档…" })].concat(
      state.documents.map(function (d) { return h("option", { value: d.doc_id, text: d.title }); })));
    var passage = h("select", { required: true }, [h("option", { value: "", text: "先选择文档" })]);
    var preview = h("p", { class: "passage", "aria-live": "polite" });
    var statement = h("input", { type: "checkbox" });
    statement.checked = Boolean(base.statement);
    var author = h("input", { type: "text", required: true, maxlength: "50", value: base.author || sessionStorage.getItem("qa-console-author") || "" });
    var expires = h("input", { type: "date", required: true, value: base.expires_on || inAYear() });
    var message = h("p", { role: "alert", class: "error" });
    var chunks = [];

    function loadPassages(docId, wanted) {
      clear(passage).appendChild(h("option", { value: "", text: docId ? "加载中…" : "先选择文档" }));
      preview.textContent = "";
      if (!docId) return;
      api("GET", "/v1/documents/" + encodeURIComponent(docId) + "/chunks").then(function (found) {
        chunks = found;
        clear(passage).appendChild(h("option", { value: "", text: "选择段落…" }));
        found.forEach(function (c, i) {
          passage.appendChild(h("option", { value: String(i), text: (c.section ? c.section + "：" : "") + c.text.slice(0, 40) }));
        });
        var at = wanted ? found.findIndex(function (c) { return c.start === wanted[0] && c.end === wanted[1]; }) : -1;
        if (at >= 0) { passage.value = String(at); preview.textContent = found[at].text; }
      }).catch(failure(message));
    }
    docs.addEventListener("change", function () { loadPassages(docs.value); });
    passage.addEventListener("change", function () {
      var c = chunks[Number(passage.value)];
      preview.textContent = c ? c.text : "";
    });
    if (base.doc_id) { docs.value = base.doc_id; loadPassages(base.doc_id, [base.start, base.end]); }

    var form = h("form", { class: "card", "aria-label": entry ? "修改问答对" : "新建问答对" }, [
      h("h3", { text: entry ? "修改问答对 #" + entry.id : "新建问答对" }),
      h("div", { class: "grid" }, [
        field("问题", question, true),
        field("问法变体（每行一个）", variants, true),
        field("答案", answer, true),
        field("答案类型", kind),
        field("有效期至", expires),
        field("作者", author),
        field("引用的文档", docs),
        field("引用的段落", passage, true),
        h("div", { class: "wide" }, [preview]),
        h("div", { class: "wide" }, [h("label", {}, [statement, " 答案不在段落原文中：作为“工作人员说明”显示（附作者与日期）"])]),
      ]),
      h("div", { class: "cell-actions" }, [
        h("button", { type: "submit", class: "primary", text: "保存" }),
        entry || draft ? h("button", { type: "button", text: "取消", onclick: function () { select("curated"); } }) : null,
      ]),
      message,
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chunk = chunks[Number(passage.value)];
      if (!chunk || passage.value === "") { message.textContent = "请选择答案所依据的段落。"; return; }
      sessionStorage.setItem("qa-console-author", author.value.trim());
      var body = {
        question: question.value, answer: answer.value.trim(), answer_kind: kind.value,
        variants: variants.value.split("\n").map(function (v) { return v.trim(); }).filter(Boolean),
        doc_id: docs.value, start: chunk.start, end: chunk.end, statement: statement.checked,
        author: author.value, expires_on: expires.value,
      };
      var saving = entry ? api("PUT", "/v1/curated/" + entry.id, body) : api("POST", "/v1/curated", body);
      saving.then(function () {
        announce("问答对已保存");
        select("curated");
      }).catch(function (error) { message.textContent = "未保存：" + error.message; });
    });
    setTimeout(function () { question.focus(); }, 0);
    return form;
  }

  // ---- 检索测试 ---------------------------------------------------------------------------

  function renderSearch(panel, options) {
    panel.appendChild(h("h2", { text: "检索测试" }));
    var query = h("input", { type: "search", required: true, maxlength: "500", value: options.query || "", class: "grow" });
    var k = h("select", {}, ["5", "10", "20"].map(function (n) { return h("option", { value: n, text: n + " 条" }); }));
    var out = h("div", { "aria-live": "polite" });
    var form = h("form", { class: "bar", role: "search" }, [
      h("div", { class: "grow" }, [field("问题或检索词", query)]),
      field("返回", k),
      h("button", { type: "submit", class: "primary", text: "测试" }),
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      runSearch(query.value.trim(), Number(k.value), out);
    });
    panel.appendChild(form);
    panel.appendChild(out);
    if (options.query) runSearch(options.query, 5, out);
    else setTimeout(function () { query.focus(); }, 0);
  }

  function runSearch(query, k, out) {
    if (!query) return;
    clear(out).appendChild(h("p", { class: "note", text: "检索中…" }));
    api("POST", "/v1/search", { query: query, top_k: k, explain: true }).then(function (data) {
      clear(out).appendChild(answerBox(data.explain.answer));
      out.appendChild(h("p", { class: "note", text: "检索词：" + data.explain.query_terms.join(" / ") + (data.latency_ms ? " · " + data.latency_ms + " ms" : "") }));
      data.results.forEach(function (result, i) { out.appendChild(resultCard(result, data.explain.passages[i])); });
      if (!data.results.length) out.appendChild(h("p", { text: "没有检索到段落。" }));
    }).catch(failure(out));
  }

  /* "quantity:table" → 表格单元格, "refused:no_evidence" → 拒答, "excerpt:steps" → 原文摘录. */
  function ruleName(rule) {
    var parts = String(rule).split(":");
    return RULES[parts[0]] || RULES[parts[1]] || parts[0];
  }

  function answerBox(answer) {
    var lines = [h("div", { class: "scores" }, [
      h("span", { text: "问题类型：" + answer.question_kind }),
      h("span", { text: "规则：" + ruleName(answer.rule) + "（" + answer.rule + "）" }),
      h("span", { text: "关键词：" + (answer.keywords.join("、") || "—") }),
    ])];
    if (answer.refused) lines.unshift(h("p", {}, [h("strong", { text: "拒答：" }), REASON_NAMES[answer.reason] || answer.reason || ""]));
    else lines.unshift(h("p", {}, [h("strong", { text: (answer.curated ? "问答对答案：" : "答案：") }), answer.answer || ""]));
    return h("div", { class: "answer-box" + (answer.refused ? " refused" : "") }, lines);
  }

  /* The passage with its matched terms marked: spans are offsets into the text. */
  function markedText(text, spans) {
    var parts = [];
    var at = 0;
    spans.forEach(function (span) {
      if (span[0] > at) parts.push(text.slice(at, span[0]));
      parts.push(h("mark", { text: text.slice(span[0], span[1]) }));
      at = span[1];
    });
    parts.push(text.slice(at));
    return parts;
  }

  function score(value) { return value === null || value === undefined ? "—" : String(value); }

  function resultCard(result, why) {
    return h("article", { class: "card" }, [
      h("div", { class: "head" }, [
        h("span", { class: "q", text: "#" + why.rank + "　《" + result.title + "》" }),
        h("span", { class: "meta", text: result.section }),
      ]),
      h("div", { class: "scores" }, [
        h("span", { text: "融合排名 " + why.fused_rank }),
        h("span", { text: "BM25 排名 " + score(why.bm25_rank) + " · 得分 " + score(why.bm25_score) }),
        h("span", { text: "向量排名 " + score(why.dense_rank) + " · 相似度 " + score(why.dense_score) }),
        h("span", { text: "命中词：" + (why.matched_terms.join("、") || "—") }),
      ]),
      h("p", { class: "passage" }, markedText(result.text, why.matched_spans)),
    ]);
  }

  // ---- 使用统计 ---------------------------------------------------------------------------

  var SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, children) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (name) {
      if (name === "text") el.textContent = attrs[name];
      else el.setAttribute(name, String(attrs[name]));
    });
    (children || []).forEach(function (c) { el.appendChild(c); });
    return el;
  }

  function renderUsage(panel) {
    panel.appendChild(h("h2", { text: "使用统计" }));
    var span = h("select", {}, [["7", "近 7 天"], ["30", "近 30 天"], ["90", "近 90 天"]].map(function (o) {
      return h("option", { value: o[0], text: o[1] });
    }));
    span.value = "30";
    var out = h("div");
    span.addEventListener("change", function () { loadUsage(Number(span.value), out); });
    panel.appendChild(h("div", { class: "bar" }, [field("时间范围", span)]));
    panel.appendChild(out);
    loadUsage(30, out);
  }

  function loadUsage(days, out) {
    api("GET", "/v1/usage?days=" + days).then(function (usage) {
      var asked = usage.days.reduce(function (n, d) { return n + d.asked; }, 0);
      var rate = usage.refusal_rate === null ? "—" : (usage.refusal_rate * 100).toFixed(1) + "%";
      clear(out).appendChild(h("div", { class: "grid" }, [
        h("div", {}, [h("div", { class: "meta", text: "提问数" }), h("div", { class: "stat", text: String(asked) })]),
        h("div", {}, [h("div", { class: "meta", text: "拒答率" }), h("div", { class: "stat", text: rate })]),
      ]));
      out.appendChild(h("div", { class: "charts" }, [
        h("div", { class: "chart" }, [h("h3", { text: "每日提问与拒答" }), dailyChart(usage.days),
          h("div", { class: "legend" }, [
            h("span", {}, [h("span", { class: "swatch asked" }), "提问"]),
            h("span", {}, [h("span", { class: "swatch refused" }), "拒答"]),
          ])]),
        h("div", { class: "chart" }, [h("h3", { text: "被引用最多的章节" }),
          barChart(usage.top_sections.map(function (s) { return { label: "《" + s.title + "》" + s.section.split(" > ").pop(), count: s.count }; }))]),
        h("div", { class: "chart" }, [h("h3", { text: "热门问题（已保存的问题）" }),
          barChart(usage.top_questions.map(function (q) { return { label: q.question, count: q.count }; }))]),
      ]));
    }).catch(failure(out));
  }

  function dailyChart(days) {
    var width = 560, height = 200, left = 36, bottom = 24;
    var most = Math.max(1, Math.max.apply(null, days.map(function (d) { return d.asked; })));
    var step = (width - left) / days.length;
    var scale = function (n) { return (height - bottom) * (n / most); };
    var bars = [];
    days.forEach(function (d, i) {
      var x = left + i * step + 1;
      var w = Math.max(1, step - 2);
      bars.push(svg("rect", { x: x, y: height - bottom - scale(d.asked), width: w, height: scale(d.asked), fill: "#1a5fb4" },
        [svg("title", { text: d.day + "：提问 " + d.asked + "，拒答 " + d.refused })]));
      bars.push(svg("rect", { x: x, y: height - bottom - scale(d.refused), width: w, height: scale(d.refused), fill: "#d9822b" }));
    });
    var labels = [days[0], days[days.length - 1]].map(function (d, i) {
      return svg("text", { x: i ? width : left, y: height - 6, "text-anchor": i ? "end" : "start", "font-size": 12, fill: "#5b6573", text: d.day.slice(5) });
    });
    var axis = [svg("text", { x: left - 6, y: 12, "text-anchor": "end", "font-size": 12, fill: "#5b6573", text: String(most) }),
      svg("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: "#d6dbe3" })];
    return svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": "每日提问数与拒答数" }, bars.concat(labels, axis));
  }

  function barChart(items) {
    if (!items.length) return h("p", { class: "note", text: "暂无数据。" });
    var width = 560, row = 26, labelWidth = 300;
    var most = Math.max.apply(null, items.map(function (i) { return i.count; }));
    var rows = items.map(function (item, i) {
      var label = item.label.length > 24 ? item.label.slice(0, 23) + "…" : item.label;
      var w = Math.max(2, (width - labelWidth - 40) * (item.count / most));
      return svg("g", {}, [
        svg("title", { text: item.label + "：" + item.count }),
        svg("text", { x: 0, y: i * row + 17, "font-size": 13, fill: "#1d2330", text: label }),
        svg("rect", { x: labelWidth, y: i * row + 5, width: w, height: 16, fill: "#1a5fb4", rx: 2 }),
        svg("text", { x: labelWidth + w + 6, y: i * row + 17, "font-size": 12, fill: "#5b6573", text: String(item.count) }),
      ]);
    });
    return svg("svg", { viewBox: "0 0 " + width + " " + items.length * row, role: "img", "aria-label": "排行" }, rows);
  }

  // ---- 密钥 -------------------------------------------------------------------------------

  function renderKeys(panel) {
    panel.appendChild(h("h2", { text: "密钥" }));
    panel.appendChild(h("p", { class: "note", text: "QA_API_KEYS 中配置的密钥不在此列出；这里签发的密钥只在签发时显示一次，服务只保存其摘要。" }));
    var role = h("select", {}, ROLES.map(function (r) { return h("option", { value: r, text: ROLE_NAMES[r] }); }));
    var label = h("input", { type: "text", required: true, maxlength: "60", placeholder: "持有人或用途" });
    var shown = h("div", { "aria-live": "polite" });
    var status = h("p", { class: "error", role: "alert" });
    var table = h("table", { "aria-label": "已签发的密钥" });
    var form = h("form", { class: "bar" }, [field("角色", role), h("div", { class: "grow" }, [field("持有人", label)]),
      h("button", { type: "submit", class: "primary", text: "签发" })]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", "/v1/keys", { role: role.value, label: label.value }).then(function (made) {
        renderKeys(clear(panel));
        var box = h("input", { class: "new-key", readonly: true, value: made.key, "aria-label": "新密钥" });
        $("new-key-holder").appendChild(h("div", { class: "card" }, [
          h("p", { class: "ok", text: "已签发给“" + made.label + "”的" + ROLE_NAMES[made.role] + "密钥（只显示这一次，请立即保存）：" }), box]));
        box.select();
      }).catch(failure(status));
    });
    panel.appendChild(form);
    panel.appendChild(h("div", { id: "new-key-holder" }, [shown]));
    panel.appendChild(status);
    panel.appendChild(table);
    api("GET", "/v1/keys").then(function (keys) {
      table.appendChild(h("thead", {}, [h("tr", {}, ["持有人", "角色", "末四位", "签发时间", "操作"].map(function (t) { return h("th", { scope: "col", text: t }); }))]));
      var body = h("tbody");
      if (!keys.length) body.appendChild(h("tr", {}, [h("td", { colspan: "5", text: "尚未签发密钥。" })]));
      keys.forEach(function (key) {
        body.appendChild(h("tr", {}, [
          h("td", { text: key.label }), h("td", { text: ROLE_NAMES[key.role] }), h("td", { text: "…" + key.hint }),
          h("td", { text: day(key.created_at) }),
          h("td", {}, [h("button", { type: "button", class: "danger", text: "吊销", onclick: function () {
            if (!window.confirm("确定吊销“" + key.label + "”的密钥？使用它的系统将立即无法访问。")) return;
            api("DELETE", "/v1/keys/" + key.id).then(function () { renderKeys(clear(panel)); }).catch(failure(status));
          } })]),
        ]));
      });
      table.appendChild(body);
    }).catch(failure(status));
  }

  var RENDER = {
    documents: renderDocuments, unanswered: renderUnanswered, curated: renderCurated,
    search: renderSearch, usage: renderUsage, keys: renderKeys,
  };

  // ---- start ------------------------------------------------------------------------------

  $("sign-in-form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    signIn($("key").value.trim()).catch(function (error) {
      state.key = null;
      $("sign-in-error").textContent = "无法登录：" + error.message;
    });
  });
  $("sign-out").addEventListener("click", function () { signOut(""); });
  window.addEventListener("hashchange", function () {
    if (state.role && location.hash.slice(1) !== state.tab) select(location.hash.slice(1));
  });
  var saved = sessionStorage.getItem(KEY_STORE);
  if (saved) signIn(saved).catch(function () { signOut(""); });
  else $("key").focus();
})();
