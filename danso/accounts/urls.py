from django.urls import path

from danso.accounts import views

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<id:user_id>/", views.user_detail, name="user"),
    path("reassign/", views.reassign, name="reassign"),
]
