"""The web layer of the indicator pages and API: thin views, serializers, forms, filters, tables
and chart figures. Views scope through the queryset methods, call services and selectors, render."""
