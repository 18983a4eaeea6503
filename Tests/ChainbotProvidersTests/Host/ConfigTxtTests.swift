import ChainbotCore
import ChainbotProviders
import Testing

struct ConfigTxtTests {
    /// The shape of Raspberry Pi OS bookworm's default file, trimmed.
    static let stock = """
        # For more options and information see
        # http://rptl.io/configtxt

        # Uncomment some or all of these to enable the optional hardware interfaces
        #dtparam=i2c_arm=on
        dtparam=audio=on

        camera_auto_detect=1
        dtoverlay=vc4-kms-v3d
        max_framebuffers=2
        arm_64bit=1

        [cm4]
        otg_mode=1

        [all]

        """

    static func section(_ name: String, _ entries: [(String, [String])]) -> BootConfigSection {
        BootConfigSection(section: name, entries: entries.map { BootConfigEntry(key: $0.0, values: $0.1) })
    }

    static func edit(_ text: String?, _ sections: [BootConfigSection]) -> (text: String, changed: Bool) {
        let result = ConfigTxt.edited(text.map { Array($0.utf8) }, applying: sections)
        return (String(decoding: result.bytes, as: UTF8.self), result.changed)
    }

    @Test func roundTripsEveryByte() {
        for text in [Self.stock, "a=1\r\nb=2\n# c\r\n\r\n[pi4]\r\nd=4", "", "\n\n", "x=\u{00e9}\t \n"] {
            #expect(ConfigTxt(text: text).bytes == Array(text.utf8))
        }
        let invalid: [UInt8] = [0x61, 0x3D, 0xFF, 0x0D, 0x0A, 0x62]
        #expect(ConfigTxt(invalid).bytes == invalid)
    }

    @Test func findsSectionsAndRepeatedKeys() {
        let config = ConfigTxt(text: "dtoverlay=a\n[pi4]\ndtoverlay=b\ndtoverlay=c\n[all]\ndtoverlay=d\n")
        #expect(config.regions.map(\.name) == ["all", "pi4", "all"])
        #expect(config.values(of: "dtoverlay", in: "all") == ["a", "d"])
        #expect(config.values(of: "dtoverlay", in: "PI4") == ["b", "c"])
        #expect(ConfigTxt(text: "[pi5]\nx=1\n").regions.map(\.name) == ["pi5"])
        #expect(ConfigTxt(nil).regions.map(\.name) == ["all"])
    }

    @Test func leavesAFileThatIsAlreadyAsDesiredByteIdentical() {
        let sections = [
            Self.section("all", [("dtparam", ["audio=on"]), ("arm_64bit", ["1"])]),
            Self.section("cm4", [("otg_mode", ["1"])]),
        ]
        let result = Self.edit(Self.stock, sections)
        #expect(!result.changed)
        #expect(result.text == Self.stock)
    }

    @Test func replacesAKeyWhereItStoodAndKeepsComments() {
        let result = Self.edit(Self.stock, [Self.section("all", [("arm_64bit", ["0"])])])
        #expect(result.changed)
        #expect(result.text == Self.stock.replacingFirst("arm_64bit=1", with: "arm_64bit=0"))
    }

    @Test func writesRepeatedDtoverlayOncePerValueInOrder() {
        let result = Self.edit(
            Self.stock, [Self.section("all", [("dtoverlay", ["vc4-kms-v3d", "disable-bt", "i2c-rtc,ds3231"])])])
        #expect(
            result.text
                == Self.stock.replacingFirst(
                    "dtoverlay=vc4-kms-v3d\n",
                    with: "dtoverlay=vc4-kms-v3d\ndtoverlay=disable-bt\ndtoverlay=i2c-rtc,ds3231\n"))
        let removed = Self.edit(result.text, [Self.section("all", [("dtoverlay", ["disable-bt"])])])
        #expect(removed.text == Self.stock.replacingFirst("dtoverlay=vc4-kms-v3d\n", with: "dtoverlay=disable-bt\n"))
    }

    @Test func appendsMissingKeysAtTheEndOfTheirSection() {
        let result = Self.edit(
            Self.stock,
            [
                Self.section("cm4", [("otg_mode", ["1"]), ("dtoverlay", ["dwc2,dr_mode=host"])]),
                Self.section("all", [("enable_uart", ["1"])]),
            ])
        #expect(
            result.text
                == Self.stock.replacingFirst("otg_mode=1\n", with: "otg_mode=1\ndtoverlay=dwc2,dr_mode=host\n")
                + "enable_uart=1\n")
    }

    @Test func keysInPi4DoNotTouchTheSameKeyInAll() {
        let result = Self.edit(Self.stock, [Self.section("pi4", [("arm_64bit", ["0"]), ("arm_boost", ["1"])])])
        #expect(result.text == Self.stock + "\n[pi4]\narm_64bit=0\narm_boost=1\n")
        let again = Self.edit(result.text, [Self.section("pi4", [("arm_64bit", ["0"]), ("arm_boost", ["1"])])])
        #expect(!again.changed)
        #expect(ConfigTxt(text: result.text).values(of: "arm_64bit", in: "all") == ["1"])
    }

    @Test func crlfFilesKeepCRLF() {
        let text = "# boot\r\ndtparam=audio=on\r\n\r\n[pi4]\r\narm_boost=1\r\n"
        let result = Self.edit(
            text,
            [Self.section("pi4", [("arm_boost", ["0"]), ("gpu_mem", ["128"])]), Self.section("pi5", [("x", ["1"])])])
        #expect(
            result.text
                == "# boot\r\ndtparam=audio=on\r\n\r\n[pi4]\r\narm_boost=0\r\ngpu_mem=128\r\n\r\n[pi5]\r\nx=1\r\n")
    }

    @Test func aFileWithoutAFinalNewlineKeepsEndingWithoutOne() {
        let result = Self.edit(
            "a=1\n[pi4]\nb=2", [Self.section("pi4", [("c", ["3"])]), Self.section("all", [("a", ["9"])])])
        #expect(result.text == "a=9\n[pi4]\nb=2\nc=3")
        let replaced = Self.edit("a=1\nb=2", [Self.section("all", [("b", ["2", "3"])])])
        #expect(replaced.text == "a=1\nb=2\nb=3")
    }

    @Test func aMissingFileBecomesAMinimalFile() {
        let result = Self.edit(
            nil,
            [
                Self.section("all", [("dtparam", ["audio=on", "i2c_arm=on"])]),
                Self.section("pi4", [("arm_boost", ["1"])]),
            ])
        #expect(result.changed)
        #expect(result.text == "dtparam=audio=on\ndtparam=i2c_arm=on\n\n[pi4]\narm_boost=1\n")
        #expect(!Self.edit(nil, []).changed)
    }

    @Test func aKeyWithoutValuesIsRemovedFromItsSectionOnly() {
        let result = Self.edit("x=1\n[pi4]\nx=2\n", [Self.section("pi4", [("x", [])])])
        #expect(result.changed)
        #expect(result.text == "x=1\n[pi4]\n")
    }
}

extension String {
    /// `self` with the first occurrence of `target` replaced (test helper; no Foundation).
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        let characters = Array(self)
        let pattern = Array(target)
        guard !pattern.isEmpty, characters.count >= pattern.count else { return self }
        for start in 0...(characters.count - pattern.count)
        where Array(characters[start..<start + pattern.count]) == pattern {
            return String(characters[..<start]) + replacement + String(characters[(start + pattern.count)...])
        }
        return self
    }
}
