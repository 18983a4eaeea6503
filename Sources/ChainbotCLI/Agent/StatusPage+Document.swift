import ChainbotHTTP

extension StatusPage {
    /// A whole page around `body` (already escaped HTML): the head, the styles, and the script that keeps
    /// `<main id="live">` current over the agent's WebSocket. Without scripts the page reloads itself every
    /// 10 s instead (the refresh is inside `<noscript>`, so a browser that runs the script never polls).
    ///
    /// `root` leads from the page back to the endpoint's root (`""` on `/`, `"../../"` on
    /// `/resources/Kind/name`), so the page works behind a proxy that serves the endpoint under a prefix;
    /// `since` is the store's last event change when the page was made: the socket resumes from there, so an
    /// event recorded between the page and the socket is not missed.
    static func document(title: String, root: String, since: Int64, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <noscript><meta http-equiv="refresh" content="10"></noscript>
        <title>\(escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body data-root="\(escape(root))" data-since="\(since)">
        <main id="live">
        \(body)
        </main>
        <footer>chainbot · read-only · <span id="live-state">updated when the page loads</span></footer>
        <script>
        \(script)
        </script>
        </body>
        </html>

        """
    }

    /// `text` as HTML text or an attribute value: `&`, `<`, `>`, `"` and `'` escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// The link from a page at `root` to a resource's detail view.
    static func resourceLink(kind: String, name: String, root: String) -> String {
        escape(root + "resources/" + URLPathSegment.encode(kind) + "/" + URLPathSegment.encode(name))
    }
}
