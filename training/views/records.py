urlpatterns = []


def menu_items():
    return []
