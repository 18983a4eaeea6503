extension ServerConnection {
    /// Writes the head of a switching `response` (its `Upgrade` and `Connection` headers kept) and hands the
    /// connection to `upgrade` with what `reader` read past the request; returns when the upgraded
    /// connection ends (the caller closes it).
    func serve(_ upgrade: HTTPUpgrade, response: HTTPResponse, reader: inout WireReader) {
        var headers = response.headers
        headers.remove("Content-Length")
        headers.remove("Transfer-Encoding")
        let head = HeadWriter.response(status: response.status, reason: response.reason, headers: headers)
        let idle = configuration.readTimeout
        do { try socket.send(head, until: .now + idle, idle: idle) } catch { return }
        let registry = registry
        upgrade.run(
            UpgradedConnection(socket: socket, leftover: reader.takeBuffered(), isStopping: { registry.isStopping }))
    }
}
