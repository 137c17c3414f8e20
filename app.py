"""The chat web page: ``python app.py`` serves it on http://127.0.0.1:7860 (QA_WEB_HOST, QA_WEB_PORT)."""

from qa.pipeline import build
from qa.web import launch


def main() -> None:
    pipeline = build()
    pipeline.answerer.warm_up()  # load the models before the first visitor, not during their question
    launch(pipeline)


if __name__ == "__main__":
    main()
