-- Deployment ids are minted from the database, so every replica mints
-- different ones, in order.
CREATE SEQUENCE deployment_numbers;
