import Glibc
import Synchronization

/// Watches manifest files and directories (recursively) with inotify and calls back on every change:
/// writes, atomic renames into place (editors, `git checkout`), creations and deletions. The caller
/// debounces; the callback runs on the watcher's own thread.
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
    static let isDirectory: UInt32 = 0x4000_0000
    static let mask = closeWrite | movedFrom | movedTo | create | delete | deleteSelf | moveSelf | attrib | modify

    private let descriptor: Int32
    private let wake: (read: Int32, write: Int32)
    private let directories = Mutex<[Int32: String]>([:])

    /// Starts watching `paths` (files: their directory is watched; directories: with every subdirectory).
    public init(paths: [String], onChange: @escaping @Sendable (String) -> Void) throws(SystemError) {
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
        for path in paths {
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                addRecursively(path)
            } else {
                let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(
                    separator: "/")
                add(parent.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : parent)
            }
        }
        let watcher = self
        try DetachedThread.start { watcher.run(onChange) }
    }

    /// Stops the watcher thread and closes its descriptors.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    private func add(_ directory: String) {
        let watch = inotify_add_watch(descriptor, directory, Self.mask)
        if watch >= 0 { directories.withLock { $0[watch] = directory } }
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
            var offset = 0
            var changed: [String] = []
            while offset + 16 <= count {
                let watch = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset, as: Int32.self) }
                let mask = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset + 4, as: UInt32.self) }
                let length = Int(buffer.withUnsafeBytes { $0.load(fromByteOffset: offset + 12, as: UInt32.self) })
                let nameBytes = buffer[(offset + 16)..<min(offset + 16 + length, count)]
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                offset += 16 + length
                let directory = directories.withLock { $0[watch] } ?? ""
                let path = name.isEmpty ? directory : directory + "/" + name
                if mask & Self.isDirectory != 0, mask & (Self.create | Self.movedTo) != 0 { addRecursively(path) }
                changed.append(path)
            }
            for path in changed { onChange(path) }
        }
    }
}
