"""Admin URLs of the management review (mounted under /admin/review/): every area's `urlpatterns`."""

from qms.review.areas import view_modules

app_name = "review"

urlpatterns = []
for _module in view_modules():
    urlpatterns += _module.urlpatterns
