import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

/// A Host applied to an SD-card image offline: config.txt, /etc/hostname and /etc/hosts are written in
/// the image, nothing runs, and `diff --root` then finds its files converged (an image has no readings, so
/// its conditions are not compared: the sync is Unknown, and the exit status 0).
@Suite struct HostOfflineImageTests {
    static let manifest = """
        apiVersion: chainbot.dev/v1
        kind: Host
        metadata: {name: pi}
        spec:
          model: "Raspberry Pi 4*"
          hostname: alexos-pi
          thermal: {warnC: 70}
          throttling: {}
          disk: {minFreePercent: 10}
          memory: {minAvailableMB: 256}
          bootConfig:
            all:
              dtparam: [audio=on]
            pi4:
              dtoverlay: [vc4-kms-v3d, disable-bt]

        """

    @Test func applyPreparesTheImageAndDiffThenFindsItConverged() async throws {
        let work = TemporaryDirectory("chainbot-hostimage")
        let image = work.file("image")
        mkdir(image, 0o755)
        work.write("image/boot/firmware/config.txt", "# keep me\ndtparam=audio=off\n")
        work.write("image/etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n")
        work.write("image/etc/hostname", "raspberrypi\n")
        let manifests = work.write("manifests/host.yaml", Self.manifest)
        let common = ["-f", manifests, "--root", image]

        let apply = await CLIHarness.run(["apply"] + common)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("steps: write /etc/hostname; write /etc/hosts; write /boot/firmware/config.txt"))
        #expect(
            Fixtures.readText(image + "/boot/firmware/config.txt")
                == "# keep me\ndtparam=audio=on\n\n[pi4]\ndtoverlay=vc4-kms-v3d\ndtoverlay=disable-bt\n")
        #expect(Fixtures.readText(image + "/etc/hostname") == "alexos-pi\n")
        #expect(Fixtures.readText(image + "/etc/hosts") == "127.0.0.1\tlocalhost\n127.0.1.1\talexos-pi\n")
        #expect(!Fixtures.exists(image + "/run/chainbot/reboot-required"))

        let diff = await CLIHarness.run(["diff"] + common)
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        // An image has no readings: its files are converged (exit 0), its conditions not compared (sync Unknown).
        #expect(
            diff.stdout.hasPrefix("? Host/pi could not be compared in full (sync Unknown)\n"), "\(diff.stdout)")
        #expect(diff.stdout.contains("    not compared: temperature: not measurable in an image: it has no sensors\n"))
        #expect(diff.stdout.contains("1 not compared in full, 0 unchanged.\nnote: health Unknown for Host/pi: model"))
        let json = await CLIHarness.run(["diff", "-o", "json"] + common)
        #expect(json.stdout.contains("\"health\": \"Unknown\""))
    }
}
