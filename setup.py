"""The optional compiled inner loop of search (`bot/index/_scoring.c`); everything else is in
pyproject.toml. Without a C compiler the build skips it and search runs on numpy alone."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "bot.index._scoring",
            ["bot/index/_scoring.c"],
            # No fused multiply-add: scores must round exactly as numpy's do.
            extra_compile_args=["-O2", "-ffp-contract=off"],
            optional=True,
        )
    ]
)
