from django.urls import URLPattern, URLResolver, path

from pages.pathways import views

app_name = "pathways"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.progress, name="progress"),
    path("transcript/", views.transcript_home, name="transcript_home"),
    path("transcripts/<pk:user_id>/", views.transcript, name="transcript"),
    path("transcripts/<pk:user_id>/transcript.pdf", views.transcript_download, name="transcript_pdf"),
    path("transcripts/<pk:user_id>/credentials.json", views.transcript_bundle, name="transcript_bundle"),
    # A pathway's credential; its uuid is the badge's, so the awards pages' own addresses redirect here.
    path("credentials/<uuid:uuid>/", views.credential, name="credential"),
    # Published pathways' stable addresses: written into their signed credentials as the achievement's id.
    path("<slug:issuer>/<slug:slug>/", views.detail, name="detail"),
]
