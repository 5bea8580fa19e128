"""Programme staff's pages. `views` holds the `admin` blueprint with every route attached."""
