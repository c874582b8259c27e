"""The sign-in page with the same limits as POST /auth/token (taxpayers.signin): after repeated failures
for a username or from one address, a 429 page that says when to try again."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from taxpayers.signin import TooManyAttempts, check_signin_allowed, record_signin, sign_out_other_sessions


class SignInView(auth_views.LoginView):
    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        try:
            check_signin_allowed(request, username)
        except TooManyAttempts as exc:
            form = self.get_form()
            response = self.render_to_response(self.get_context_data(form=form, lockout=exc.message))
            response.status_code = 429
            response["Retry-After"] = str(exc.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        record_signin(self.request, form.get_user().get_username(), ok=True)
        return super().form_valid(form)

    def form_invalid(self, form):
        record_signin(self.request, self.request.POST.get("username", ""), ok=False)
        return super().form_invalid(form)


@require_POST
@login_required
def sign_out_others(request):
    """ "Sign out everywhere else": every other browser session of this user ends; this one stays."""
    sign_out_other_sessions(request)
    messages.success(request, "Signed out of every other browser and device.")
    return redirect(request.POST.get("next") if _safe(request.POST.get("next")) else "home")


def _safe(url) -> bool:
    return isinstance(url, str) and url.startswith("/") and not url.startswith("//")
