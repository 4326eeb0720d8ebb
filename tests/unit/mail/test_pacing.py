"""The mailer's pace: calls spaced by the rate, without bursts after a pause."""

from tandem.store.ses import Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_calls_are_spaced_by_the_rate_and_a_pause_earns_no_burst() -> None:
    time = FakeTime()
    pacer = Pacer(4, clock=lambda: time.now, sleep=time.sleep)
    for _ in range(3):
        pacer.wait()
    assert time.slept == [0.25, 0.25]
    time.now += 10  # a quiet spell
    pacer.wait()
    pacer.wait()
    assert time.slept == [0.25, 0.25, 0.25]
