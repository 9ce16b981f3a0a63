// The department board page: reads /board/events (server-sent events) with fetch() so it can send the bearer token,
// keeps the server's clock offset from every message, and redraws the columns. Pseudonymous ids and codes only.
'use strict';

(() => {
  const TOKEN_KEY = 'irsuite.board.token';
  const STAGES = [
    ['BOARD_STAGE_REFERRED', 'Referred'],
    ['BOARD_STAGE_AWAITING_CLEARANCE', 'Awaiting clearance'],
    ['BOARD_STAGE_READY_TO_SCHEDULE', 'Ready to schedule'],
    ['BOARD_STAGE_SCHEDULED', 'Scheduled'],
    ['BOARD_STAGE_IN_ROOM', 'In room'],
    ['BOARD_STAGE_IN_OBSERVATION', 'In observation'],
    ['BOARD_STAGE_READY_FOR_DISCHARGE', 'Ready for discharge'],
    ['BOARD_STAGE_DISCHARGED', 'Discharged'],
  ];
  const RETRY_MS = 3000;

  const $ = (id) => document.getElementById(id);
  let entries = new Map();
  let offsetMs = 0; // server clock minus this browser's clock, from the last message
  let day = '';
  let controller = null;

  const serverNow = () => Date.now() + offsetMs;

  function setStatus(state, text) {
    const status = $('status');
    status.dataset.state = state;
    status.textContent = text;
  }

  function showSignin(show) {
    $('signin').hidden = !show;
    $('board').hidden = show;
    $('signout').hidden = show;
  }

  function pad(n) { return String(n).padStart(2, '0'); }

  function clockTime(ms) {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  }

  function shortId(id) { return (id || '').slice(0, 8); }

  function code(value, prefix) { return (value || '').replace(prefix, '').replaceAll('_', ' ').toLowerCase(); }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function card(entry, now) {
    const node = el('article', 'card');
    node.dataset.referralId = entry.referralId;
    node.dataset.stage = entry.stage;
    const obs = entry.observation;
    const esc = entry.escalation;
    if (esc && esc.open) node.classList.add('escalated');
    if (obs && obs.checkOverdue) node.classList.add('overdue');

    const who = el('div', 'who', `Patient ${shortId(entry.patientId)}`);
    who.title = `patient ${entry.patientId} / referral ${entry.referralId}`;
    node.append(who);
    node.append(el('div', 'line', `${(entry.levels || []).join(', ')} · ${code(entry.sedation, 'SEDATION_MODE_') || 'sedation n/a'}`));
    if (esc && esc.open) node.append(el('span', 'badge escalation', `ESCALATION ${esc.reason}${esc.level ? ' ' + esc.level : ''}`));
    if (obs && obs.checkOverdue) node.append(el('span', 'badge overdue', 'CHECK OVERDUE'));

    if (entry.stage === 'BOARD_STAGE_AWAITING_CLEARANCE' && entry.clearance) node.append(el('div', 'line', `clearance ${entry.clearance}`));
    if (entry.slot) {
      node.append(el('div', 'line', `${entry.slot.room} · bed ${entry.slot.recoveryBed} · ${clockTime(Date.parse(entry.slot.start))}`));
    }
    if (entry.procedure && entry.procedure.startedAt && !entry.procedure.endedAt) {
      node.append(el('div', 'line', `started ${clockTime(Date.parse(entry.procedure.startedAt))}`));
    }
    if (entry.procedure && entry.procedure.skinDoseFollowUp) node.append(el('div', 'line', 'skin dose follow-up'));
    if (obs && (entry.stage === 'BOARD_STAGE_IN_OBSERVATION' || entry.stage === 'BOARD_STAGE_READY_FOR_DISCHARGE')) {
      if (obs.minimumUntil) {
        const left = (Date.parse(obs.minimumUntil) - now) / 1000;
        const countdown = el('span', left > 0 ? 'countdown' : 'countdown reached', left > 0 ? `${duration(left)} left` : '2 h reached');
        countdown.dataset.secondsLeft = String(Math.max(0, Math.floor(left)));
        node.append(countdown);
      }
      if (obs.nextCheckDue) node.append(el('div', 'line', `next check ${clockTime(Date.parse(obs.nextCheckDue))}`));
      const scores = [];
      if (obs.aldrete !== undefined) scores.push(`Aldrete ${obs.aldrete}`);
      if (obs.padss !== undefined) scores.push(`PADSS ${obs.padss}`);
      node.append(el('div', 'line', `${obs.checkCount || 0} check(s)${scores.length ? ' · ' + scores.join(' · ') : ''}`));
    }
    if (entry.stage === 'BOARD_STAGE_DISCHARGED' && entry.dischargedAt) {
      node.append(el('span', 'badge done', `${entry.dischargeDestination || 'OUT'} ${clockTime(Date.parse(entry.dischargedAt))}`));
    }
    return node;
  }

  function render() {
    const now = serverNow();
    $('clock').textContent = entries !== null ? `${clockTime(now)}:${pad(new Date(now).getSeconds())}` : '';
    $('day').textContent = day;
    const board = $('board');
    const columns = STAGES.map(([stage, title]) => {
      const column = el('section', 'column');
      column.dataset.stage = stage;
      const items = [...entries.values()].filter((e) => e.stage === stage);
      const heading = el('h2', '', title);
      heading.append(el('span', 'count', String(items.length)));
      column.append(heading, ...items.map((e) => card(e, now)));
      return column;
    });
    board.replaceChildren(...columns);
  }

  function handle(message) {
    if (message.serverTime) offsetMs = Date.parse(message.serverTime) - Date.now();
    if (message.snapshot) {
      entries = new Map((message.snapshot.entries || []).map((e) => [e.referralId, e]));
      day = message.snapshot.day || '';
    } else if (message.upserted) {
      entries.set(message.upserted.referralId, message.upserted);
    } else if (message.removed) {
      entries.delete(message.removed.referralId);
    }
    render();
  }

  class TokenExpired extends Error {}

  function dispatch(block) {
    // The server ends the feed with an "expired" event when the token it was opened with expires: ask for a new one.
    if (block.split('\n').some((l) => l.trim() === 'event: expired')) throw new TokenExpired('token expired');
    const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
    if (data) handle(JSON.parse(data));
  }

  async function connect() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) {
      showSignin(true);
      setStatus('signed-out', 'Not connected');
      return;
    }
    showSignin(false);
    controller = new AbortController();
    const signal = controller.signal;
    setStatus('connecting', 'Connecting…');
    try {
      const response = await fetch('events', { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, cache: 'no-store', signal });
      if (response.status === 401 || response.status === 403) {
        sessionStorage.removeItem(TOKEN_KEY);
        showSignin(true);
        setStatus('error', response.status === 401 ? 'Token refused: sign in again' : 'This role may not watch the board');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      setStatus('live', 'Live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replaceAll('\r\n', '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
      throw new Error('stream ended');
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof TokenExpired) {
        sessionStorage.removeItem(TOKEN_KEY);
        showSignin(true);
        setStatus('error', 'Token expired: sign in again');
        return;
      }
      setStatus('reconnecting', 'Reconnecting…');
      setTimeout(connect, RETRY_MS);
    }
  }

  $('signin').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('token');
    const token = input.value.trim();
    input.value = '';
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    connect();
  });

  $('signout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    if (controller) controller.abort();
    entries = new Map();
    showSignin(true);
    setStatus('signed-out', 'Not connected');
  });

  setInterval(() => { if (!$('board').hidden) render(); }, 1000);
  connect();
})();
