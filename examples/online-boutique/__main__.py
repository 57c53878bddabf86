import boutique

boutique.main()
