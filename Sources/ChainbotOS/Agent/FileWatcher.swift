import Glibc
import Synchronization

/// Watches files and directories with inotify and calls back on every change: writes, atomic renames
/// into place (editors, `git checkout`), creations, deletions, mode and owner changes. The caller
/// debounces; the callbacks run on the watcher's own thread.
///
/// Two ways to watch: the manifests (`init(paths:onChange:)`: files through their directory, directories
/// with every subdirectory), and the host paths chainbot owns (`init(ownedPaths:…)`, in
/// `FileWatcher+OwnedPaths.swift`: each path through its parent, which may not exist yet).
public final class FileWatcher: Sendable {
    // inotify's event bits (the C macros are not imported).
    static let modify: UInt32 = 0x2
    static let attrib: UInt32 = 0x4
    static let closeWrite: UInt32 = 0x8
    static let movedFrom: UInt32 = 0x40
    static let movedTo: UInt32 = 0x80
    static let create: UInt32 = 0x100
    static let delete: UInt32 = 0x200
    static let deleteSelf: UInt32 = 0x400
    static let moveSelf: UInt32 = 0x800
    static let overflow: UInt32 = 0x4000
    static let ignored: UInt32 = 0x8000
    static let isDirectory: UInt32 = 0x4000_0000
    static let mask = closeWrite | movedFrom | movedTo | create | delete | deleteSelf | moveSelf | attrib | modify

    let descriptor: Int32
    private let wake: (read: Int32, write: Int32)
    let directories = Mutex<[Int32: String]>([:])
    /// Owned-paths mode: the directories wanted (each path's parent, a declared directory itself).
    let wanted: [String]
    /// Called when events may have been missed (the kernel's queue overflowed); nil: ignored.
    let onLost: (@Sendable (String) -> Void)?

    /// Starts watching `paths` (files: their directory is watched; directories: with every subdirectory).
    public convenience init(paths: [String], onChange: @escaping @Sendable (String) -> Void) throws(SystemError) {
        try self.init(wanted: [], onLost: nil)
        for path in paths {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                addRecursively(path)
            } else {
                add(Self.parent(of: path))
            }
        }
        try start(onChange)
    }

    init(wanted: [String], onLost: (@Sendable (String) -> Void)?) throws(SystemError) {
        let fd = inotify_init1(Int32(O_CLOEXEC))
        guard fd >= 0 else { throw SystemError("inotify_init1", code: errno) }
        let ends: ChildPipe
        do {
            ends = try ChildPipe.make()
            try ChildPipe.setNonBlocking(ends.writeEnd)
        } catch {
            close(fd)
            throw error
        }
        descriptor = fd
        wake = (ends.readEnd, ends.writeEnd)
        self.wanted = wanted
        self.onLost = onLost
    }

    func start(_ onChange: @escaping @Sendable (String) -> Void) throws(SystemError) {
        let watcher = self
        try DetachedThread.start(name: "cb-file-watch") { watcher.run(onChange) }
    }

    /// Stops the watcher thread and closes its descriptors.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    /// The directory holding `path` (`/etc/x.conf` → `/etc`, `/x` → `/`).
    public static func parentDirectory(of path: String) -> String { parent(of: path) }

    static func parent(of path: String) -> String {
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return parent.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : parent
    }

    @discardableResult
    func add(_ directory: String) -> Bool {
        let watch = inotify_add_watch(descriptor, directory, Self.mask)
        if watch >= 0 { directories.withLock { $0[watch] = directory } }
        return watch >= 0
    }

    private func addRecursively(_ directory: String) {
        add(directory)
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != ".", name != "..", !name.hasPrefix(".") else { continue }
            if Int32(entry.pointee.d_type) == Int32(DT_DIR) { addRecursively(directory + "/" + name) }
        }
    }

    private func run(_ onChange: @Sendable (String) -> Void) {
        defer {
            close(descriptor)
            close(wake.read)
            close(wake.write)
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var fds = [
                pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 {
                if count < 0, errno == EINTR { continue }
                return
            }
            for path in events(in: buffer, count: count) { onChange(path) }
        }
    }

    /// The paths the events in `buffer[..<count]` name, with the watches kept up to date.
    private func events(in buffer: [UInt8], count: Int) -> [String] {
        var offset = 0
        var changed: [String] = []
        while offset + 16 <= count {
            let watch = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset, as: Int32.self) }
            let mask = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset + 4, as: UInt32.self) }
            let length = Int(buffer.withUnsafeBytes { $0.load(fromByteOffset: offset + 12, as: UInt32.self) })
            let nameBytes = buffer[(offset + 16)..<min(offset + 16 + length, count)]
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += 16 + length
            if mask & Self.overflow != 0 {
                onLost?("inotify's event queue overflowed")
                continue
            }
            let directory = directories.withLock { $0[watch] } ?? ""
            let path = name.isEmpty ? directory : directory + "/" + name
            if wanted.isEmpty {
                if mask & Self.isDirectory != 0, mask & (Self.create | Self.movedTo) != 0 { addRecursively(path) }
            } else {
                followOwned(path: path, watch: watch, mask: mask)
            }
            changed.append(path)
        }
        return changed
    }
}
