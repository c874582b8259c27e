"""The sign-in page with the same limits as POST /auth/token (taxpayers.signin): after repeated failures
for a username or from one address, a 429 page that says when to try again."""

from django.contrib.auth import views as auth_views

from taxpayers.signin import TooManyAttempts, check_signin_allowed, record_signin


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
