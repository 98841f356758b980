from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self) -> None:
        from reviews.changes import watch_pages

        # The writes that change the queue and the pipeline, noted by the database (core/changes.py).
        watch_pages()
