import ChainbotCore
import ChainbotTestSupport
import Glibc
import Testing

/// A Host applied to an SD-card image offline: config.txt, /etc/hostname and /etc/hosts are written in
/// the image, nothing runs, and `diff --root` then finds it converged (an image has no readings, so its
/// conditions are not compared).
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
        // An image has no readings: the Host is converged, its health Unknown with the reason as a note.
        #expect(
            diff.stdout.hasPrefix("1 unchanged.\nnote: health Unknown for Host/pi: model unknown"), "\(diff.stdout)")
        let json = await CLIHarness.run(["diff", "-o", "json"] + common)
        #expect(json.stdout.contains("\"health\": \"Unknown\""))
    }
}
