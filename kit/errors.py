"""The one exception the kit raises for bad input or a failed step."""


class KitError(Exception):
    """A user-facing failure: the message is one line naming the problem.

    build.py prints it as ``build.py: error: <message>`` and exits with
    ``exit_code`` (1 unless a step says otherwise).
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
