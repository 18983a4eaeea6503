extension StatusPage {
    /// The page's only script: it opens the agent's WebSocket (`/ws`, resuming after the page's
    /// `data-since`) and, when an event or a status change arrives, fetches the same URL again and swaps in
    /// its `<main>`: the server renders and escapes everything, the script never builds markup from data.
    /// While the socket is open `<html>` carries `data-live="websocket"`. A socket that closes is reopened
    /// with backoff, resuming where it left off; one that never opens falls back to reloading every 10 s.
    static let script = """
        (function () {
          "use strict";
          var body = document.body, html = document.documentElement, state = document.getElementById("live-state");
          var since = body.dataset.since, failures = 0, opened = false, pending = null, busy = false, again = false;
          if (!window.WebSocket || !window.fetch || !window.DOMParser) {
            setTimeout(function () { location.reload(); }, 10000);
            return;
          }
          function refresh() {
            pending = null;
            if (busy) { again = true; return; }
            busy = true;
            fetch(location.href, { cache: "no-store", credentials: "same-origin" })
              .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
              .then(function (text) {
                var fresh = new DOMParser().parseFromString(text, "text/html");
                var main = fresh.getElementById("live"), current = document.getElementById("live");
                if (main && current) { current.replaceWith(document.adoptNode(main)); document.title = fresh.title; }
                body.dataset.updated = String(Date.now());
              })
              .catch(function () {})
              .then(function () { busy = false; if (again) { again = false; soon(); } });
          }
          function soon() { if (!pending) pending = setTimeout(refresh, 200); }
          function connect() {
            var url = new URL(body.dataset.root + "ws", location.href);
            url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
            url.searchParams.set("since", since);
            var socket = new WebSocket(url.href, ["chainbot"]);
            socket.onopen = function () {
              opened = true; failures = 0; html.dataset.live = "websocket";
              state.textContent = "live over WebSocket";
            };
            socket.onmessage = function (frame) {
              var message;
              try { message = JSON.parse(frame.data); } catch (e) { return; }
              if (message.type === "hello") { if (String(message.since) !== String(since)) soon(); since = message.since; }
              else if (message.type === "event") { since = message.id; soon(); }
              else if (message.type === "status") { soon(); }
            };
            socket.onclose = function () {
              html.dataset.live = "reconnecting";
              failures += 1;
              if (!opened && failures >= 3) {
                state.textContent = "no live feed: reloading every 10 s";
                setTimeout(function () { location.reload(); }, 10000);
                return;
              }
              state.textContent = "reconnecting";
              setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, failures)));
            };
          }
          connect();
        })();
        """
}
