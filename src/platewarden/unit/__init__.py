"""The patrol-car unit: reads and alerts in the car with no network, then hands every read on."""
