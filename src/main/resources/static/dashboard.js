// Polls /cluster about once a second and draws it. One poll at a time: the next is scheduled
// only when the last has finished. On failure the last figures stay, marked stale.
(function () {
  "use strict";

  const INTERVAL_MS = 1000;
  const TIMEOUT_MS = 3000;
  const number = new Intl.NumberFormat();

  const el = (id) => document.getElementById(id);
  const status = el("status"), statusTitle = el("status-title"), statusDetail = el("status-detail");
  const figures = el("figures"), total = el("total");
  const consistency = el("consistency"), list = el("replicas"), none = el("no-replicas"), retired = el("retired");
  const updated = el("updated");
  const rows = new Map(); // replica name -> its <li>
  let lastGood = null;    // Date of the last good reply
  let polls = 0;          // finished polls, good or not: shows that polling goes on

  async function poll() {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
    let response = null;
    try {
      response = await fetch("cluster", {
        headers: { Accept: "application/json" }, cache: "no-store", signal: abort.signal
      });
      if (response.status === 503) {
        // The body is one line such as "503 Service Unavailable: Redis is unavailable; ...".
        const line = (await response.text()).split("\n")[0].replace(/^503[^:]*:\s*/, "").slice(0, 200);
        return failed("outage", "Redis unavailable.", line);
      }
      if (!response.ok) return failed("error", "The service answered " + response.status + ".", "");
      const cluster = await response.json();
      if (!wellFormed(cluster)) {
        return failed("error", "The service sent an unexpected reply.", "");
      }
      draw(cluster);
    } catch (e) {
      if (response && e.name !== "AbortError") return failed("error", "The service sent an unexpected reply.", "");
      failed("unreachable", "Cannot reach the service.", e.name === "AbortError"
        ? "No answer within " + TIMEOUT_MS / 1000 + " s." : "The request failed: is the service up?");
    } finally {
      clearTimeout(timer);
      status.dataset.polls = String(++polls);
      setTimeout(poll, INTERVAL_MS);
    }
  }

  function draw(cluster) {
    setText(total, number.format(cluster.total));
    total.dataset.value = String(cluster.total);

    if (cluster.consistent) {
      setText(consistency, cluster.retired > 0 ? "The replicas' counts and the retired count add up to the total."
        : "The replicas' counts add up to the total.");
      consistency.dataset.state = "consistent";
    } else {
      setText(consistency, "The replicas' counts do not add up: " + number.format(cluster.unattributed)
        + " requests are unattributed (counted before per-replica tracking).");
      consistency.dataset.state = "unattributed";
    }
    consistency.dataset.unattributed = String(cluster.unattributed);

    const retiredCount = Number.isFinite(cluster.retired) ? cluster.retired : 0;
    const largest = Math.max(1, retiredCount, ...cluster.replicas.map((r) => r.requests));
    const seen = new Set();
    cluster.replicas.forEach((replica, index) => {
      seen.add(replica.name);
      const li = rows.get(replica.name) || addRow(replica.name);
      if (list.children[index] !== li) list.insertBefore(li, list.children[index] || null);
      drawRow(li, replica, largest, cluster.total);
    });
    for (const [name, li] of rows) {
      if (!seen.has(name)) { li.remove(); rows.delete(name); }
    }
    none.hidden = cluster.replicas.length > 0 || retiredCount > 0;
    drawRetired(retiredCount, largest, cluster.total);

    lastGood = new Date();
    const live = cluster.replicas.filter((r) => r.live).length;
    setText(statusTitle, "Live.");
    setText(statusDetail, live + " of " + cluster.replicas.length + " replicas up.");
    status.dataset.state = "ok";
    figures.dataset.stale = "false";
    figures.setAttribute("aria-busy", "false");
    setText(updated, "Updated " + lastGood.toLocaleTimeString() + ".");
  }

  function wellFormed(cluster) {
    return cluster && Number.isFinite(cluster.total) && Array.isArray(cluster.replicas)
      && cluster.replicas.every((r) => r && typeof r.name === "string" && Number.isFinite(r.requests));
  }

  function addRow(name) {
    const li = document.createElement("li");
    li.dataset.replica = name;
    li.innerHTML = '<span class="name"></span><span class="badge" data-live></span>'
      + '<span class="track" aria-hidden="true"><span class="bar"></span></span>'
      + '<span class="count" data-count></span><span class="seen">last seen <time></time></span>';
    li.querySelector(".name").textContent = name;
    rows.set(name, li);
    return li;
  }

  function drawRow(li, replica, largest, clusterTotal) {
    const share = clusterTotal > 0 ? Math.round((replica.requests / clusterTotal) * 100) : 0;
    li.querySelector(".bar").style.width = (replica.requests / largest) * 100 + "%";
    const count = li.querySelector(".count");
    setText(count, number.format(replica.requests) + " requests (" + share + "%)");
    count.dataset.count = String(replica.requests);
    const badge = li.querySelector(".badge");
    setText(badge, replica.live ? "live" : "gone");
    badge.dataset.live = String(Boolean(replica.live));
    li.dataset.live = badge.dataset.live;
    const time = li.querySelector("time");
    if (replica.lastSeen) {
      time.dateTime = replica.lastSeen;
      time.title = replica.lastSeen;
      setText(time, ago(new Date(replica.lastSeen)));
    } else {
      time.removeAttribute("datetime");
      setText(time, "never");
    }
  }

  // One bar for every replica folded away after RETIRE_AFTER; hidden while there is none.
  function drawRetired(count, largest, clusterTotal) {
    retired.hidden = count === 0;
    retired.dataset.value = String(count);
    const share = clusterTotal > 0 ? Math.round((count / clusterTotal) * 100) : 0;
    retired.querySelector(".bar").style.width = (count / largest) * 100 + "%";
    setText(retired.querySelector(".count"), number.format(count) + " requests (" + share + "%)");
  }

  function failed(state, title, detail) {
    status.dataset.state = state;
    const shown = lastGood ? "Showing the figures from " + lastGood.toLocaleTimeString() + " (stale). " : "";
    setText(statusTitle, title);
    const sentence = detail && !/[.!?]$/.test(detail) ? detail + "." : detail;
    setText(statusDetail, (sentence ? sentence + " " : "") + shown + "Retrying every second…");
    figures.dataset.stale = String(lastGood !== null);
    if (lastGood) setText(updated, "Stale: last updated " + lastGood.toLocaleTimeString() + ".");
  }

  function ago(date) {
    const seconds = Math.round((Date.now() - date.getTime()) / 1000);
    if (!Number.isFinite(seconds)) return "unknown";
    if (seconds < 2) return "just now";
    if (seconds < 120) return seconds + " s ago";
    if (seconds < 7200) return Math.round(seconds / 60) + " min ago";
    return date.toLocaleString();
  }

  // Rewriting equal text would make screen readers announce it again every second.
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  poll();
})();
