from __future__ import annotations

from fhud_app.hud import devices


class FakeDevices:
    def __init__(self, *names: str) -> None:
        self.names = list(names)

    def input_names(self) -> list[str]:
        return list(self.names)


def test_default_needs_no_lookup():
    assert devices.resolve("", FakeDevices()) == devices.Choice("")


def test_present_device_is_kept():
    assert devices.resolve("usb", FakeDevices("Built-in", "USB Mic")) == devices.Choice("usb")


def test_missing_device_falls_back_to_default_and_says_so():
    choice = devices.resolve("USB Mic", FakeDevices("Built-in"))
    assert choice.device == ""
    assert "not connected" in choice.message and "default" in choice.message


def test_removed_mid_stream_falls_back():
    layer = FakeDevices("Built-in", "USB Mic")
    layer.names.remove("USB Mic")
    choice = devices.after_failure("USB Mic", "stream stopped", layer)
    assert choice.device == "" and "removed" in choice.message


def test_failure_of_default_has_nothing_to_fall_back_to():
    assert devices.after_failure("", "stream stopped", FakeDevices("Built-in")) is None


def test_sounddevice_layer_lists_inputs_only():
    class SD:
        @staticmethod
        def query_devices():
            return [{"name": "Speakers", "max_input_channels": 0}, {"name": "Mic", "max_input_channels": 1}]

    assert devices.SoundDeviceLayer(SD).input_names() == ["Mic"]


def test_silence_watch_explains_denied_macos_permission():
    said = []
    watch = devices.SilenceWatch(said.append, seconds=1.0, plat="darwin")
    for _ in range(4):
        watch.feed(0.0, 0.2)
    assert said == []
    watch.feed(0.0, 0.3)
    assert len(said) == 1 and "Privacy & Security" in said[0]
    watch.feed(0.0, 5.0)
    assert len(said) == 1  # once


def test_silence_watch_ignores_a_real_noise_floor():
    said = []
    watch = devices.SilenceWatch(said.append, seconds=1.0, plat="linux")
    for _ in range(20):
        watch.feed(0.0, 0.2)
        watch.feed(1e-4, 0.2)
    assert said == []
