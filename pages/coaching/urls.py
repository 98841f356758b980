from django.urls import URLPattern, URLResolver, path

from pages.coaching import educator, views

app_name = "coaching"
urlpatterns: list[URLPattern | URLResolver] = [
    # The coach's side.
    path("", views.index, name="index"),
    path("drafts/<pk:share_id>/", views.draft, name="draft"),
    path("drafts/<pk:share_id>/comments/", views.comment_add, name="comment_add"),
    path("drafts/<pk:share_id>/files/<pk:evidence_id>/", views.evidence, name="evidence"),
    path("invitations/<str:token>/", views.accept, name="accept"),
    # The educator's side.
    path("submissions/<pk:submission_id>/", educator.submission, name="submission"),
    path("shares/<pk:share_id>/revoke/", educator.revoke, name="revoke"),
    path("shares/<pk:share_id>/files/", educator.files, name="files"),
    path("comments/resolve/", educator.resolve, name="resolve"),
]
