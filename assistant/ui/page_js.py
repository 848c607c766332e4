"""The page's own JavaScript (launch js): a click on a citation opens it in 原文, the chat's copy buttons
copy text. It only reads the page and presses the app's own hidden button; it never touches document text."""

# A click on a `[n]` superscript of a chat message puts "k:n" (k: which assistant message, 0-based;
# n: its citation) in the hidden box and presses the hidden button. Installed once by the page (launch js).
PAGE_JS = """
() => {
  if (window.__citeClick) return;
  window.__citeClick = true;
  const openCite = (k, n) => {
    const box = document.querySelector('#cite-target textarea, #cite-target input');
    if (!(k >= 0) || !n || !box) return;
    box.value = k + ':' + n;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => document.querySelector('#cite-open').click(), 50);
  };
  document.addEventListener('click', (ev) => {
    if (!ev.target.closest) return;
    const sup = ev.target.closest('#chatbot sup.cite');
    if (sup) {
      const bots = Array.from(document.querySelectorAll('#chatbot [data-testid="bot"]'));
      openCite(bots.indexOf(sup.closest('[data-testid="bot"]')), (sup.textContent.match(/\\d+/) || [''])[0]);
      return;
    }
    // 在原文中查看 on a source card: the panel names its answer (answer-k-K), the card its citation (cite-n-N).
    const open = ev.target.closest('#sources .src-open');
    const list = open && open.closest('.src-list');
    if (!list) return;
    const k = (list.className.match(/answer-k-(\\d+)/) || [])[1];
    const n = (open.className.match(/cite-n-(\\d+)/) || [])[1];
    openCite(Number(k), n);
  });
  // The chat's copy buttons copy a message's value, which for an answer is the app's (escaped) HTML:
  // once Gradio has written it, the clipboard gets the text as shown instead.
  document.addEventListener('click', (ev) => {
    const btn = ev.target.closest && ev.target.closest('#chatbot button');
    if (!btn || !navigator.clipboard) return;
    const messages = Array.from(
      document.querySelectorAll('#chatbot [data-testid="bot"], #chatbot [data-testid="user"]'));
    // A message's copy button, not its 赞/踩 (feedback) buttons beside it.
    const copies = Array.from(document.querySelectorAll('#chatbot button')).filter(
      (b) => b.closest('.message-buttons') && !/^(赞|踩|Like|Dislike)$/.test(b.getAttribute('aria-label') || ''));
    let text = null;
    if (btn.closest('.message-buttons')) {
      const i = copies.indexOf(btn);
      if (i >= 0 && i < messages.length && copies.length === messages.length) text = messages[i].innerText;
    } else if (/conversation/.test(btn.getAttribute('aria-label') || '')) {  // copy_all: 'Copy conversation'
      text = messages.map((m) => m.innerText).join('\\n\\n');
    }
    if (text !== null) setTimeout(() => navigator.clipboard.writeText(text).catch(() => {}), 150);
  });
}
"""
# After the view is filled: to 原文 (a click on its tab button: an update of gr.Tabs from the server
# duplicates tab buttons in Gradio 6.31), then the passage into view.
OPEN_JS = """
() => {
  const tab = document.querySelector('[role="tab"][data-tab-id="doc"]');
  if (tab && tab.getAttribute('aria-selected') !== 'true') tab.click();
  const scroll = (tries) => {
    const f = document.querySelector('#doc-view #doc-focus');
    if (f) f.scrollIntoView({block: 'center'}); else if (tries > 0) setTimeout(() => scroll(tries - 1), 100);
  };
  setTimeout(() => scroll(30), 50);
}
"""
