from django.apps import AppConfig


class TodoConfig(AppConfig):
    """Each person's to-do list and the platform's navigation: built on every context, asked by none."""

    name = "choujian.todo"
    label = "todo"
    verbose_name = "待办"

    def ready(self) -> None:
        from choujian.ledger.events import entry_recorded
        from choujian.todo.event_messages import tell

        entry_recorded.connect(tell, dispatch_uid="todo.tell")
