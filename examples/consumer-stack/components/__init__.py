"""This project's own building blocks (the design card's `components/` folder): kubexpose is imported
as `kubexpose`, so the two never collide."""
