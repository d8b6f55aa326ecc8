from django.urls import path

from sync_service.api.accounts import views

urlpatterns = [
    path("auth/register", views.RegisterApi.as_view(), name="auth-register"),
    path("auth/verify-email", views.VerifyEmailApi.as_view(), name="auth-verify-email"),
    path("auth/resend-code", views.ResendCodeApi.as_view(), name="auth-resend-code"),
    path("auth/login", views.LoginApi.as_view(), name="auth-login"),
    path("auth/refresh", views.RefreshApi.as_view(), name="auth-refresh"),
    path("auth/logout", views.LogoutApi.as_view(), name="auth-logout"),
    path("auth/password-reset", views.PasswordResetApi.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm",
        views.PasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("me", views.MeApi.as_view(), name="me"),
    path("me/password", views.MePasswordApi.as_view(), name="me-password"),
    path("vendor/profile", views.VendorProfileApi.as_view(), name="vendor-profile"),
]
