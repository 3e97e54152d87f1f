/* qual workspace: the pages' behaviour. No library, nothing fetched from elsewhere.
 * Text from transcripts is only ever put into the page with textContent, never as HTML. */
(() => {
  "use strict";
  const csrf = document.querySelector('meta[name="qual-csrf"]').content;
  const view = document.body.dataset.view;
  const coder = document.body.dataset.coder;
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const el = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else if (k === "on") for (const [event, fn] of Object.entries(v)) node.addEventListener(event, fn);
      else node[k] = v;
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  };

  // ------------------------------------------------------------------ server calls
  async function api(method, url, body) {
    const options = { method, headers: { "X-Qual-CSRF": csrf }, credentials: "same-origin" };
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    let response;
    try { response = await fetch(url, options); } catch (e) {
      toast("The workspace server is not answering: is 'qual app' still running?", true);
      return { ok: false, status: 0, data: {} };
    }
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (response.status === 403) toast("Access refused: open the address 'qual app' printed again.", true);
    else if (!response.ok && response.status !== 409) toast(data.error || `request failed (${response.status})`, true);
    return { ok: response.ok, status: response.status, data };
  }
  let toastTimer = null;
  function toast(message, error = false) {
    const box = $("#toast");
    if (!box) return;
    box.textContent = message;
    box.classList.toggle("error", !!error);
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, error ? 6000 : 2500);
  }
  const typing = (event) => ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName) || event.target.isContentEditable;
  function colourise(root = document) {
    for (const node of $$("[data-colour]", root)) node.style.background = node.dataset.colour;
    for (const bar of $$(".bar[data-fill]", root)) {
      const fill = el("i"); fill.style.width = `${Math.round(100 * parseFloat(bar.dataset.fill))}%`; bar.append(fill);
    }
  }

  // ------------------------------------------------------------------ header: progress, export, jobs, coder
  let revision = null;
  const changeListeners = [];
  function showProgress(progress) {
    if (!progress || !$("#progress-reviewed")) return;
    $("#progress-reviewed").textContent = progress.reviewed;
    $("#progress-total").textContent = progress.total;
  }
  function showJob(job) {
    const box = $("#job");
    if (!box || !job) return;
    if (job.state === "running") {
      box.hidden = false;
      box.replaceChildren(el("span", { text: `${job.label}… ${Math.round(job.elapsed || 0)} s ` }));
      if (job.progress != null) box.append(el("progress", { max: 1, value: job.progress, title: "estimated from the last run" }));
    } else if (job.state === "done" || job.state === "failed") {
      box.hidden = false;
      box.textContent = job.state === "done" ? `${job.label}: done (${job.message})` : `${job.label} failed: ${job.message}`;
    }
  }
  let lastJobState = null;
  async function poll() {
    if (!coder) return;
    const { ok, data } = await api("GET", `/api/status${revision === null ? "" : `?since=${revision}`}`);
    if (!ok) return;
    const changes = (data.changes || []).filter((c) => revision !== null);
    revision = data.revision;
    showProgress(data.progress);
    const button = $("#export");
    if (button) {
      button.classList.toggle("stale", data.unexported > 0);
      button.textContent = data.unexported > 0 ? `Export files (${data.unexported} changes)` : "Files up to date";
    }
    showJob(data.job);
    if (data.job && lastJobState === "running" && data.job.state !== "running") {
      toast(data.job.state === "done" ? `${data.job.label}: done` : `${data.job.label} failed`, data.job.state !== "done");
    }
    lastJobState = data.job ? data.job.state : null;
    if (changes.length) for (const listener of changeListeners) listener(changes);
  }
  function initHeader() {
    const button = $("#export");
    if (button) button.addEventListener("click", async () => {
      const { ok } = await api("POST", "/api/jobs/export", {});
      if (ok) { toast("Exporting the files in the background…"); poll(); }
    });
    const select = $("#coder-switch");
    if (select) select.addEventListener("change", async () => {
      if (!select.value) { location.href = `/welcome?next=${encodeURIComponent(location.pathname)}`; return; }
      const { ok } = await api("POST", "/api/coder", { name: select.value });
      if (ok) location.reload();
    });
    if (coder) { poll(); setInterval(poll, 2000); }
    colourise();
  }

  // ------------------------------------------------------------------ keyboard help
  const keyHandlers = [];
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { $("#help").hidden = true; }
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?") { $("#help").hidden = !$("#help").hidden; event.preventDefault(); return; }
    if (event.key === "/" && view !== "search") { location.href = "/search"; event.preventDefault(); return; }
    for (const handler of keyHandlers) if (handler(event)) { event.preventDefault(); return; }
  });

  // ------------------------------------------------------------------ code picker (document and code views)
  const codes = $("#codebook-data") ? JSON.parse($("#codebook-data").textContent) : [];
  const codeById = Object.fromEntries(codes.map((c) => [c.id, c]));
  let pickerDone = null, pickerItems = [], pickerIndex = 0;
  function openPicker(onPick) {
    pickerDone = onPick;
    $("#picker").hidden = false;
    $("#picker-filter").value = "";
    renderPicker();
    $("#picker-filter").focus();
  }
  function closePicker() { $("#picker").hidden = true; pickerDone = null; }
  function renderPicker() {
    const words = $("#picker-filter").value.toLowerCase().split(/\s+/).filter(Boolean);
    pickerItems = codes.filter((c) => words.every((w) => `${c.id} ${c.name} ${c.theme}`.toLowerCase().includes(w)));
    pickerIndex = Math.min(pickerIndex, Math.max(0, pickerItems.length - 1));
    $("#picker-list").replaceChildren(...pickerItems.slice(0, 60).map((c, i) => {
      const item = el("li", { class: i === pickerIndex ? "on" : "", "data-code": c.id,
        on: { mousedown: (e) => { e.preventDefault(); pick(c.id); } } },
        el("span", { class: "dot" }), el("b", { text: c.id }), el("span", { text: c.name }), el("small", { text: c.theme }));
      item.firstChild.style.background = c.theme_colour;
      return item;
    }));
  }
  function pick(code) { const done = pickerDone; closePicker(); if (done && code) done(code); }
  if ($("#picker")) {
    $("#picker-filter").addEventListener("input", () => { pickerIndex = 0; renderPicker(); });
    $("#picker-filter").addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") { pickerIndex = Math.min(pickerIndex + 1, pickerItems.length - 1); renderPicker(); event.preventDefault(); }
      else if (event.key === "ArrowUp") { pickerIndex = Math.max(pickerIndex - 1, 0); renderPicker(); event.preventDefault(); }
      else if (event.key === "Enter") { event.preventDefault(); if (pickerItems[pickerIndex]) pick(pickerItems[pickerIndex].id); }
      else if (event.key === "Escape") { closePicker(); }
    });
    $("#picker").addEventListener("mousedown", (event) => { if (event.target.id === "picker") closePicker(); });
  }
  const recentKey = "qual-recent-codes";
  const recentCodes = () => JSON.parse(localStorage.getItem(recentKey) || "[]").filter((id) => codeById[id]);
  function useCode(id) {
    localStorage.setItem(recentKey, JSON.stringify([id, ...recentCodes().filter((c) => c !== id)].slice(0, 9)));
  }

  // ------------------------------------------------------------------ autosaved text (summaries, memos)
  // Typed text goes to localStorage at once and to the server shortly after: a killed server or
  // a closed tab loses at most the keystroke in flight.
  function autosave({ textarea, state, draftKey, save, delay = 500 }) {
    let timer = null, pending = false, saving = false;
    const flush = async () => {
      clearTimeout(timer);
      if (!pending || saving) return;
      pending = false; saving = true;
      state.textContent = "saving…";
      const ok = await save(textarea.value);
      saving = false;
      if (ok) { state.textContent = "saved"; localStorage.removeItem(draftKey()); }
      else { pending = true; state.textContent = "not saved yet (kept in this browser)"; }
      if (pending && ok) flush();
    };
    textarea.addEventListener("input", () => {
      localStorage.setItem(draftKey(), textarea.value);
      pending = true; state.textContent = "editing…";
      clearTimeout(timer); timer = setTimeout(flush, delay);
    });
    textarea.addEventListener("blur", flush);
    return { flush, isDirty: () => pending || saving };
  }

  // ================================================================== document view
  function initDocument() {
    const data = JSON.parse($("#doc-data").textContent);
    const transcript = $("#transcript");
    let focusKey = null;          // key of the focused chip
    let jump = null;              // [start, end] to flash
    let memoOpen = null;          // the memo being edited ({id, version, document, start, end})
    const keyOf = (c) => `${c.start}-${c.end}-${c.code}`;

    function groups() {          // one item per span and code: the suggestion and people's decisions
      const items = new Map();
      for (const c of data.codings) {
        const k = keyOf(c);
        if (!items.has(k)) items.set(k, { key: k, start: c.start, end: c.end, code: c.code, suggestion: null, people: {} });
        const item = items.get(k);
        if (c.coder === "") item.suggestion = c; else item.people[c.coder] = c;
      }
      return [...items.values()].sort((a, b) => a.start - b.start || a.end - b.end || a.code.localeCompare(b.code));
    }
    const mine = (item) => (item.people[coder] ? item.people[coder].status : "undecided");
    const accepted = (item) => Object.values(item.people).some((p) => p.status === "accepted");
    const anyId = (item) => (item.suggestion || Object.values(item.people)[0]).id;
    const colour = (code) => (codeById[code] ? codeById[code].theme_colour : "#98a2b3");

    function renderText(turn, items) {
      // Boundaries of every highlighted range inside this turn; each piece gets its classes.
      const ranges = [];
      for (const item of items) {
        if (accepted(item)) ranges.push({ s: item.start, e: item.end, cls: "coded", code: item.code });
        if (item.key === focusKey) ranges.push({ s: item.start, e: item.end, cls: "focus-span" });
      }
      for (const memo of data.memos) if (memo.end > turn.start && memo.start < turn.end) ranges.push({ s: memo.start, e: memo.end, cls: "memo-span" });
      if (jump) ranges.push({ s: jump[0], e: jump[1], cls: "jump" });
      const cuts = new Set([turn.start, turn.end]);
      for (const r of ranges) { cuts.add(Math.max(turn.start, Math.min(turn.end, r.s))); cuts.add(Math.max(turn.start, Math.min(turn.end, r.e))); }
      const points = [...cuts].sort((a, b) => a - b);
      const box = el("div", { class: "text", "data-start": turn.start });
      for (let i = 0; i + 1 < points.length; i++) {
        const [s, e] = [points[i], points[i + 1]];
        if (s === e) continue;
        const piece = turn.text.slice(s - turn.start, e - turn.start);
        const here = ranges.filter((r) => r.s <= s && r.e >= e);
        if (!here.length) { box.append(document.createTextNode(piece)); continue; }
        const span = el("span", { class: [...new Set(here.map((r) => r.cls))].join(" "), text: piece });
        const coded = here.find((r) => r.cls === "coded");
        if (coded) { span.style.setProperty("--stripe", colour(coded.code)); span.title = here.filter((r) => r.code).map((r) => r.code).join(", "); }
        box.append(span);
      }
      return box;
    }

    function chip(item) {
      const code = codeById[item.code] || { name: item.code };
      const status = mine(item);
      const classes = ["chip", item.suggestion ? "suggestion" : "coded", `mine-${status}`];
      if (item.key === focusKey) classes.push("focused");
      const node = el("button", { type: "button", class: classes.join(" "), "data-key": item.key, "data-id": anyId(item),
        "data-code": item.code, "data-mine": status, title: code.name, on: { click: () => focus(item.key) } },
        el("span", { class: "swatch" }), el("b", { text: item.code }));
      node.style.setProperty("--stripe", colour(item.code));
      if (item.suggestion) {
        node.append(el("span", { class: "score", text: (item.suggestion.score || 0).toFixed(2) }),
          el("span", { class: "source", text: item.suggestion.source }));
      }
      const turn = data.turns.find((t) => t.start <= item.start && item.end <= t.end);
      if (turn && (item.start > turn.start || item.end < turn.end)) {
        node.append(el("span", { class: "quote", text: `“${turn.text.slice(item.start - turn.start, item.end - turn.start)}”` }));
      }
      for (const [who, decision] of Object.entries(item.people)) {
        node.append(el("span", { class: "who", text: `${who} ${decision.status === "accepted" ? "✓" : "✗"}` }));
      }
      return node;
    }

    function renderTurn(turn, all) {
      const items = all.filter((i) => i.start < turn.end && i.end > turn.start && i.start >= turn.start);
      const node = el("div", { class: `turn ${turn.role}`, id: `turn-${turn.index}`, "data-turn": turn.index });
      node.append(el("div", { class: "gutter" }, el("span", { class: "num", text: `${turn.index}` }),
        turn.timestamp ? el("span", { class: "ts", text: turn.timestamp }) : null));
      const body = el("div", { class: "body" }, el("div", { class: "speaker", text: turn.speaker }), renderText(turn, items));
      if (items.length) body.append(el("div", { class: "chips" }, ...items.map(chip)));
      const memos = data.memos.filter((m) => m.start >= turn.start && m.start <= turn.end);
      if (memos.length) body.append(el("div", { class: "memos" }, ...memos.map((m) =>
        el("div", { class: "memo", "data-memo": m.id, text: `memo (${m.coder}): ${m.text}`, on: { click: () => openMemo(m) } }))));
      node.append(body);
      const stripes = el("div", { class: "stripes" });
      const seen = new Set();
      for (const item of items) {
        const kind = accepted(item) ? "accepted" : (item.suggestion && mine(item) !== "rejected" ? "suggested" : null);
        if (!kind || seen.has(`${item.code}-${kind}`)) continue;
        seen.add(`${item.code}-${kind}`);
        const stripe = el("span", { class: `stripe ${kind}`, title: `${item.code} (${kind === "accepted" ? "coded" : "suggested"})` });
        stripe.style.setProperty("--stripe", colour(item.code));
        if (kind === "accepted") stripe.style.background = colour(item.code);
        stripes.append(stripe);
      }
      node.append(stripes);
      return node;
    }

    function render() {
      const all = groups();
      transcript.replaceChildren(...data.turns.map((t) => renderTurn(t, all)));
      showFocus();
      renderRecent();
    }
    function rerenderTurnsOf(start) {
      const all = groups();
      for (const turn of data.turns) {
        if (turn.start <= start && start <= turn.end) {
          const old = $(`#turn-${turn.index}`);
          if (old) old.replaceWith(renderTurn(turn, all));
        }
      }
      showFocus();
    }
    const chipsInOrder = () => $$(".chip[data-key]", transcript);
    function focus(key, scroll = true) {
      const previous = focusKey;
      focusKey = key;
      const all = groups();
      for (const k of [previous, key]) {
        const item = all.find((i) => i.key === k);
        if (item) rerenderTurnsOf(item.start);
      }
      const node = $(`.chip[data-key="${CSS.escape(key)}"]`, transcript);
      if (node && scroll) node.scrollIntoView({ block: "center", behavior: "instant" });
      showFocus();
    }
    function move(step, undecidedOnly = false) {
      const chips = chipsInOrder();
      if (!chips.length) return;
      let i = chips.findIndex((c) => c.dataset.key === focusKey);
      for (let n = 0; n < chips.length; n++) {
        i = i < 0 ? (step > 0 ? 0 : chips.length - 1) : (i + step + chips.length) % chips.length;
        if (!undecidedOnly || chips[i].dataset.mine === "undecided") { focus(chips[i].dataset.key); return; }
      }
      toast("No undecided suggestion left in this document.");
    }
    function showFocus() {
      const box = $("#focus-info");
      const item = groups().find((i) => i.key === focusKey);
      if (!item) return;
      const code = codeById[item.code] || { name: item.code, definition: "", include: "", exclude: "" };
      const info = el("dl", {},
        el("dt", { text: `${item.code} · ${code.name}` }), el("dd", { text: code.definition || "" }),
        code.include ? el("dt", { text: "Include" }) : null, code.include ? el("dd", { text: code.include }) : null,
        code.exclude ? el("dt", { text: "Exclude" }) : null, code.exclude ? el("dd", { text: code.exclude }) : null);
      const who = el("p", { class: "muted" });
      who.textContent = (item.suggestion ? `suggested by ${item.suggestion.source}, score ${(item.suggestion.score || 0).toFixed(2)}. ` : "")
        + (Object.keys(item.people).length ? Object.entries(item.people).map(([k, v]) => `${k}: ${v.status}`).join("; ") : "No one has decided yet.");
      const actions = el("div", { class: "actions" },
        el("button", { type: "button", text: "Accept (a)", on: { click: () => decide("accepted") } }),
        el("button", { type: "button", text: "Reject (r)", on: { click: () => decide("rejected") } }),
        el("button", { type: "button", text: "Undo (u)", on: { click: () => decide("undecided") } }),
        el("button", { type: "button", text: "Memo (m)", on: { click: () => newMemo(item.start, item.end) } }));
      box.replaceChildren(info, who, actions);
    }
    async function decide(status) {
      const item = groups().find((i) => i.key === focusKey);
      if (!item) { toast("Press j to go to a suggestion first."); return; }
      const id = anyId(item);
      const { ok, status: code, data: result } = await api("POST", "/api/decide", { ids: [id], status, expected: { [id]: mine(item) } });
      if (code === 409) { toast("Changed in another tab: reloaded.", true); await reload(); return; }
      if (!ok) return;
      replaceCodings(item, result.codings);
      showProgress(result.progress);
      rerenderTurnsOf(item.start);
    }
    function replaceCodings(item, rows) {
      data.codings = data.codings.filter((c) => keyOf(c) !== item.key).concat(rows);
    }
    async function reload() {
      const { ok, data: fresh } = await api("GET", `/api/doc/${encodeURIComponent(data.id)}`);
      if (!ok) return;
      data.codings = fresh.codings; data.memos = fresh.memos;
      render();
    }

    // --- coding a selection
    let selection = null;
    function currentSelection() {
      const sel = window.getSelection();
      if (!sel.rangeCount || sel.isCollapsed) return null;
      const range = sel.getRangeAt(0);
      const box = (node) => (node.nodeType === 1 ? node : node.parentElement).closest(".text");
      const startBox = box(range.startContainer), endBox = box(range.endContainer);
      if (!startBox || startBox !== endBox) return { error: "select text inside one turn" };
      const before = document.createRange();
      before.selectNodeContents(startBox);
      before.setEnd(range.startContainer, range.startOffset);
      const turnStart = parseInt(startBox.dataset.start, 10);
      const turn = data.turns.find((t) => t.start === turnStart);
      let s = before.toString().length, e = s + range.toString().length;
      while (s < e && /\s/.test(turn.text[s])) s++;
      while (e > s && /\s/.test(turn.text[e - 1])) e--;
      if (s >= e) return null;
      return { start: turnStart + s, end: turnStart + e };
    }
    document.addEventListener("selectionchange", () => {
      if (!$("#picker").hidden) return; // the picker has the focus: keep the selection it was opened for
      const found = currentSelection();
      selection = found && !found.error ? found : null;
      $("#selection-actions").hidden = !selection;
      if (selection) $("#selection-size").textContent = `(${selection.end - selection.start} characters)`;
    });
    for (const id of ["#code-selection", "#memo-selection"]) $(id).addEventListener("mousedown", (e) => e.preventDefault());
    async function codeSelection(code) {
      if (!selection) { toast("Select some text in a turn first."); return; }
      const span = selection;
      const { ok, data: result } = await api("POST", "/api/code-span", { document: data.id, start: span.start, end: span.end, code });
      if (!ok) return;
      useCode(code);
      data.codings = data.codings.filter((c) => !(c.start === span.start && c.end === span.end && c.code === code)).concat(result.codings);
      window.getSelection().removeAllRanges();
      selection = null; $("#selection-actions").hidden = true;
      focusKey = `${span.start}-${span.end}-${code}`;
      render();
      toast(`Coded ${code}`);
    }
    $("#code-selection").addEventListener("click", () => openPicker(codeSelection));
    $("#memo-selection").addEventListener("click", () => selection && newMemo(selection.start, selection.end));
    function renderRecent() {
      $("#recent-codes").replaceChildren(...recentCodes().map((id, i) =>
        el("li", { text: `${id} — ${(codeById[id] || {}).name || ""}`, title: `press ${i + 1} to code the selection with it` })));
    }

    // --- memos
    const memoText = $("#memo-text");
    const memoSaver = autosave({
      textarea: memoText, state: $("#memo-state"),
      draftKey: () => `qual-memo-${memoOpen && memoOpen.id ? memoOpen.id : `new-${data.id}-${memoOpen ? memoOpen.start : 0}`}`,
      save: async (text) => {
        if (!memoOpen) return true;
        const body = memoOpen.id ? { id: memoOpen.id, version: memoOpen.version, text }
          : { document: data.id, start: memoOpen.start, end: memoOpen.end, text };
        const { ok, status, data: result } = await api("POST", "/api/memo", body);
        if (status === 409) { toast("This memo was changed elsewhere; its text there is shown. Yours is kept in this browser.", true);
          memoOpen = result.conflict; return false; }
        if (!ok) return false;
        memoOpen = result.memo;
        data.memos = data.memos.filter((m) => m.id !== result.memo.id).concat([result.memo]);
        return true;
      },
    });
    function openMemo(memo) {
      memoOpen = { ...memo };
      $("#memo-editor").hidden = false;
      $("#memo-where").textContent = `(${memo.coder})`;
      memoText.value = localStorage.getItem(`qual-memo-${memo.id}`) || memo.text;
      memoText.focus();
    }
    function newMemo(start, end) { openMemo({ id: null, version: 0, document: data.id, start, end, coder, text: "" }); }
    $("#memo-close").addEventListener("click", async () => { await memoSaver.flush(); $("#memo-editor").hidden = true; memoOpen = null; render(); });
    $("#memo-delete").addEventListener("click", async () => {
      if (memoOpen && memoOpen.id) {
        const { ok } = await api("POST", "/api/memo/delete", { id: memoOpen.id, version: memoOpen.version });
        if (!ok) return;
        data.memos = data.memos.filter((m) => m.id !== memoOpen.id);
      }
      $("#memo-editor").hidden = true; memoOpen = null; render();
    });

    // --- keys
    keyHandlers.push((event) => {
      const key = event.key;
      if (key === "j") { move(1); return true; }
      if (key === "k") { move(-1); return true; }
      if (key === "n") { move(1, true); return true; }
      if (key === "a") { decide("accepted"); return true; }
      if (key === "r") { decide("rejected"); return true; }
      if (key === "u") { decide("undecided"); return true; }
      if (key === "c") { if (selection) openPicker(codeSelection); else toast("Select some text in a turn first."); return true; }
      if (/^[1-9]$/.test(key) && selection) { const id = recentCodes()[parseInt(key, 10) - 1]; if (id) codeSelection(id); return true; }
      if (key === "m") {
        const item = groups().find((i) => i.key === focusKey);
        if (selection) newMemo(selection.start, selection.end); else if (item) newMemo(item.start, item.end);
        return true;
      }
      if (key === "[" && $("#prev-doc")) { location.href = $("#prev-doc").href; return true; }
      if (key === "]" && $("#next-doc")) { location.href = $("#next-doc").href; return true; }
      return false;
    });
    changeListeners.push((changes) => {
      if (changes.some((c) => c.kind === "suggestions" || ((c.kind === "coding" || c.kind === "memo") && c.entity.document === data.id))) reload();
    });

    // --- where to start: #at=START-END (a quote) or #turn=N (a search result)
    function fromHash() {
      const at = /#at=(\d+)-(\d+)/.exec(location.hash), turnMatch = /#turn=(\d+)/.exec(location.hash);
      if (at) jump = [parseInt(at[1], 10), parseInt(at[2], 10)];
      render();
      let target = null;
      if (jump) { const t = data.turns.find((x) => x.start <= jump[0] && jump[0] <= x.end); if (t) target = $(`#turn-${t.index}`); }
      if (turnMatch) target = $(`#turn-${turnMatch[1]}`);
      if (target) target.scrollIntoView({ block: "center", behavior: "instant" });
    }
    window.addEventListener("hashchange", fromHash);
    fromHash();
  }

  // ================================================================== code view
  function initCode() {
    const items = $$(".seg[data-id]");
    let focused = -1;
    const selected = () => items.filter((i) => $(".select", i).checked);
    const targets = () => (selected().length ? selected() : (items[focused] ? [items[focused]] : []));
    const count = () => { $("#selected-count").textContent = `${selected().length} selected`; };
    for (const item of items) $(".select", item).addEventListener("change", count);
    function setFocus(i) {
      if (!items.length) return;
      focused = Math.max(0, Math.min(items.length - 1, i));
      items.forEach((n, j) => n.classList.toggle("focused", j === focused));
      items[focused].scrollIntoView({ block: "center", behavior: "instant" });
    }
    async function bulk(action) {
      const chosen = targets();
      if (!chosen.length) { toast("Select segments first (x), or move to one (j)."); return; }
      const ids = chosen.map((n) => parseInt(n.dataset.id, 10));
      if (action === "recode") {
        openPicker(async (code) => {
          const { ok } = await api("POST", "/api/recode", { ids, code });
          if (ok) { useCode(code); location.reload(); }
        });
        return;
      }
      if (action === "example") {
        for (const id of ids) { const { ok } = await api("POST", "/api/example", { code: $(".segments").dataset.code, coding: id }); if (!ok) return; }
        toast(`${ids.length} example(s) added to the codebook`); return;
      }
      const { ok } = await api("POST", "/api/decide", { ids, status: action });
      if (!ok) return;
      for (const node of chosen) {
        node.dataset.mine = action;
        node.className = node.className.replace(/mine-\w+/, `mine-${action}`);
        $(".select", node).checked = false;
      }
      count();
      toast(`${ids.length} segment(s): ${action === "undecided" ? "decision taken back" : action}`);
      poll();
    }
    for (const button of $$("[data-bulk]")) button.addEventListener("click", () => bulk(button.dataset.bulk));
    $("#select-all").addEventListener("click", () => { const all = !items.every((i) => $(".select", i).checked); items.forEach((i) => { $(".select", i).checked = all; }); count(); });
    keyHandlers.push((event) => {
      const key = event.key;
      if (key === "j") { setFocus(focused + 1); return true; }
      if (key === "k") { setFocus(focused - 1); return true; }
      if (key === "x" && items[focused]) { const box = $(".select", items[focused]); box.checked = !box.checked; count(); return true; }
      if (key === "a") { bulk("accepted"); return true; }
      if (key === "r") { bulk("rejected"); return true; }
      if (key === "e") { bulk("recode"); return true; }
      if (key === "o" && items[focused]) { location.href = items[focused].dataset.href; return true; }
      return false;
    });
    changeListeners.push((changes) => {
      if (changes.some((c) => c.kind === "suggestions") && !selected().length) location.reload();
    });
  }

  // ================================================================== matrix view
  function initMatrix() {
    const table = $("table.matrix");
    const max = parseInt(table.dataset.max, 10) || 1;
    for (const cell of $$("td[data-shade]", table)) {
      const n = parseInt(cell.dataset.shade, 10);
      if (n > 0) cell.style.background = `rgba(31, 95, 191, ${0.08 + 0.5 * n / max})`;
    }
    const panel = $("#cell-panel"), text = $("#summary-text");
    let open = null; // {case, code, version, cell}
    const saver = autosave({
      textarea: text, state: $("#summary-state"),
      draftKey: () => `qual-summary-${open ? `${open.case}|${open.code}` : ""}`,
      save: async (value) => {
        if (!open) return true;
        const { ok, status, data } = await api("POST", "/api/summary", { case: open.case, code: open.code, text: value, version: open.version });
        if (status === 409) { showConflict(data.conflict); return false; }
        if (!ok) return false;
        open.version = data.summary.version;
        markSummary(open.cell, value);
        return true;
      },
    });
    function markSummary(cell, value) {
      cell.classList.toggle("has-summary", !!value.trim());
      let mark = $(".summary-mark", cell);
      if (value.trim() && !mark) cell.append(el("span", { class: "summary-mark", text: "✎" }));
      if (!value.trim() && mark) mark.remove();
    }
    function showConflict(theirs) {
      $("#summary-conflict").hidden = false;
      $("#conflict-text").textContent = theirs ? theirs.text : "(deleted)";
      open.theirs = theirs;
    }
    $("#take-theirs").addEventListener("click", () => {
      text.value = open.theirs ? open.theirs.text : ""; open.version = open.theirs ? open.theirs.version : 0;
      localStorage.removeItem(`qual-summary-${open.case}|${open.code}`);
      $("#summary-conflict").hidden = true; $("#summary-state").textContent = "their text is shown";
    });
    $("#keep-mine").addEventListener("click", () => {
      open.version = open.theirs ? open.theirs.version : 0;
      $("#summary-conflict").hidden = true;
      text.dispatchEvent(new Event("input"));
    });
    async function openCell(cell) {
      if (open) await saver.flush();
      $$("td.cell.on", table).forEach((c) => c.classList.remove("on"));
      cell.classList.add("on");
      const caseId = cell.dataset.case, code = cell.dataset.code;
      const { ok, data } = await api("GET", `/api/summary?case=${encodeURIComponent(caseId)}&code=${encodeURIComponent(code)}`);
      if (!ok) return;
      open = { case: caseId, code, version: data.summary.version, cell };
      panel.hidden = false;
      $("#summary-conflict").hidden = true;
      $("#cell-title").textContent = `${caseId} · ${code}`;
      const draft = localStorage.getItem(`qual-summary-${caseId}|${code}`);
      text.value = draft !== null ? draft : data.summary.text;
      $("#summary-state").textContent = draft !== null && draft !== data.summary.text ? "unsaved text from before is shown" : (data.summary.coder ? `last written by ${data.summary.coder}` : "");
      if (draft !== null && draft !== data.summary.text) text.dispatchEvent(new Event("input"));
      $("#quote-count").textContent = `(${data.quotes.length})`;
      $("#cell-quotes").replaceChildren(...data.quotes.map((q) => el("li", {},
        el("span", { text: `“${q.text.trim()}” ` }),
        el("a", { href: q.start != null ? `/doc/${encodeURIComponent(q.document)}#at=${q.start}-${q.end}` : `/doc/${encodeURIComponent(q.document)}`, text: `(${q.reference})` }))));
    }
    table.addEventListener("click", (event) => { const cell = event.target.closest("td.cell"); if (cell) openCell(cell); });
    table.addEventListener("keydown", (event) => { if (event.key === "Enter") { const cell = event.target.closest("td.cell"); if (cell) openCell(cell); } });
    $("#cell-close").addEventListener("click", async () => { await saver.flush(); panel.hidden = true; open = null; });
    keyHandlers.push((event) => {
      if (event.key === "Escape" && open) { saver.flush(); panel.hidden = true; open = null; return true; }
      return false;
    });
    changeListeners.push(async (changes) => {
      if (!open) return;
      const mineChanged = changes.some((c) => c.kind === "summary" && c.entity.case === open.case && c.entity.code === open.code);
      if (mineChanged && !saver.isDirty()) {
        const { ok, data } = await api("GET", `/api/summary?case=${encodeURIComponent(open.case)}&code=${encodeURIComponent(open.code)}`);
        if (ok && data.summary.version !== open.version) { text.value = data.summary.text; open.version = data.summary.version; $("#summary-state").textContent = `updated by ${data.summary.coder}`; }
      }
    });
  }

  // ================================================================== codebook view
  function initCodebook() {
    for (const card of $$(".code-card")) {
      const state = $(".card-state", card);
      let timer = null, changes = {};
      const send = async () => {
        const body = { changes, version: parseInt(card.dataset.version, 10) };
        changes = {};
        const { ok, status, data } = await api("POST", `/api/codes/${encodeURIComponent(card.dataset.code)}`, body);
        if (status === 409) { state.textContent = "changed elsewhere: reload the page to see it (your edit is not saved)"; return; }
        if (ok) { card.dataset.version = data.code.version; state.textContent = "saved"; }
      };
      for (const field of $$("[data-field]", card)) {
        field.addEventListener("input", () => {
          const name = field.dataset.field;
          let value = field.value;
          if (name === "keywords") value = value.split(",").map((s) => s.trim()).filter(Boolean);
          if (name === "examples") value = value.split("\n").map((s) => s.trim()).filter(Boolean);
          changes[name] = value;
          state.textContent = "editing…";
          clearTimeout(timer); timer = setTimeout(send, 600);
        });
        field.addEventListener("blur", () => { if (Object.keys(changes).length) { clearTimeout(timer); send(); } });
      }
    }
    $("#recompute").addEventListener("click", async () => {
      const { ok } = await api("POST", "/api/jobs/recompute", {});
      if (ok) { toast("Recomputing the suggestions in the background; keep working."); poll(); }
    });
    $("#add-code").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = new FormData(event.target);
      const { ok } = await api("POST", "/api/codes", Object.fromEntries(form.entries()));
      if (ok) location.reload();
    });
    if (location.hash) { const target = document.getElementById(decodeURIComponent(location.hash.slice(1))); if (target) target.scrollIntoView(); }
  }

  // ================================================================== agreement, welcome, search
  function initAgreement() {
    for (const item of $$(".disagreement")) {
      for (const button of $$("[data-resolve]", item)) button.addEventListener("click", async () => {
        const { ok } = await api("POST", "/api/resolve", { document: item.dataset.document, start: parseInt(item.dataset.start, 10),
          end: parseInt(item.dataset.end, 10), code: item.dataset.code, status: button.dataset.resolve, coders: JSON.parse(item.dataset.coders) });
        if (ok) location.reload();
      });
    }
  }
  function initWelcome() {
    const go = async (name) => {
      const { ok } = await api("POST", "/api/coder", { name });
      if (ok) location.href = $("#coder-form").dataset.next || "/";
    };
    $("#coder-form").addEventListener("submit", (event) => { event.preventDefault(); go($("#coder-name").value); });
    for (const button of $$(".as-coder")) button.addEventListener("click", () => go(button.dataset.name));
  }

  initHeader();
  ({ document: initDocument, code: initCode, matrix: initMatrix, codebook: initCodebook, agreement: initAgreement,
     welcome: initWelcome, search: () => { const box = $("#search-box"); if (box && !box.value) box.focus(); } }[view] || (() => {}))();
})();
