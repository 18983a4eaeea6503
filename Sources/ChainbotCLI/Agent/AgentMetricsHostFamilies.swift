import ChainbotCore
import ChainbotOS
import ChainbotProviders

/// The Pi's gauges and the standard `process_*` metrics. A figure that could not be read leaves its
/// family out of the page: absent, never a made-up 0.
enum AgentMetricsHostFamilies {
    static func write(_ text: inout AgentMetricsText, gauges: PiGauges) {
        text.family(
            "chainbot_host_temperature_celsius", .gauge, "Temperature of each thermal zone, in degrees Celsius.",
            gauges.thermalZones.map { .init([("zone", $0.name), ("type", $0.type ?? "")], $0.celsius) })
        if let throttling = gauges.throttling {
            let flags = HostSpec.ThrottleFlag.allCases
            text.family(
                "chainbot_host_throttled", .gauge,
                "1 while vcgencmd get_throttled reports the flag now (underVoltage, frequencyCapped, throttled, "
                    + "softTempLimit), else 0.",
                flags.map { .init([("flag", $0.rawValue)], throttling.isActive($0)) })
            text.family(
                "chainbot_host_throttled_since_boot", .gauge,
                "1 when vcgencmd get_throttled reports the flag has occurred since boot, else 0.",
                flags.map { .init([("flag", $0.rawValue)], throttling.hasOccurred($0)) })
        }
        if let memory = gauges.memory {
            text.family(
                "chainbot_host_memory_available_bytes", .gauge, "MemAvailable of /proc/meminfo, in bytes.",
                .init([], memory.availableKB * 1024))
            text.family(
                "chainbot_host_memory_total_bytes", .gauge, "MemTotal of /proc/meminfo, in bytes.",
                .init([], memory.totalKB * 1024))
        }
        if let disk = gauges.disk {
            let labels = [("path", disk.path)]
            text.family(
                "chainbot_host_disk_free_ratio", .gauge,
                "Free space an unprivileged user may use on the state file's filesystem, as a fraction of its size.",
                .init(labels, disk.totalBytes == 0 ? 0 : Double(disk.availableBytes) / Double(disk.totalBytes)))
            text.family(
                "chainbot_host_disk_available_bytes", .gauge,
                "Free space an unprivileged user may use on the state file's filesystem, in bytes.",
                .init(labels, String(disk.availableBytes)))
            text.family(
                "chainbot_host_disk_size_bytes", .gauge, "Size of the state file's filesystem, in bytes.",
                .init(labels, String(disk.totalBytes)))
        }
    }

    static func write(_ text: inout AgentMetricsText, process: ProcessStatistics) {
        if let seconds = process.cpuSeconds {
            text.family(
                "process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.",
                .init([], seconds))
        }
        if let bytes = process.residentBytes {
            text.family(
                "process_resident_memory_bytes", .gauge, "Resident memory size in bytes.", .init([], String(bytes)))
        }
        if let bytes = process.virtualBytes {
            text.family(
                "process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes.", .init([], String(bytes)))
        }
        if let count = process.openFileDescriptors {
            text.family("process_open_fds", .gauge, "Number of open file descriptors.", .init([], count))
        }
        if let limit = process.maxFileDescriptors {
            text.family("process_max_fds", .gauge, "Maximum number of open file descriptors.", .init([], limit))
        }
        if let start = process.startTimeSeconds {
            text.family(
                "process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds.",
                .init([], start))
        }
    }
}
